// A migration's original may be terminated between a poll's look and its mark: tagging it then
// must not fail the request, while any other refusal still does.
import { WorkSpacesServiceException } from '@aws-sdk/client-workspaces';
import { tagUnlessGone, WorkspacesCallError } from '../../lambda/api';

function refusal(name: string): WorkspacesCallError {
  const cause = new WorkSpacesServiceException({ name, message: 'refused', $fault: 'client', $metadata: { httpStatusCode: 400 } });
  return new WorkspacesCallError('CreateTags', 'ws-abcdefgh1', cause);
}

const TAGS = [{ Key: 'cdk-workspaces:migration', Value: 'x' }];

test('a WorkSpace gone by the time it is tagged is let go', async () => {
  const createTags = jest.fn().mockRejectedValue(refusal('ResourceNotFoundException'));
  await expect(tagUnlessGone({ createTags }, 'ws-abcdefgh1', TAGS)).resolves.toBeUndefined();
  expect(createTags).toHaveBeenCalledWith('ws-abcdefgh1', TAGS);
});

test('any other refusal still fails', async () => {
  const createTags = jest.fn().mockRejectedValue(refusal('AccessDeniedException'));
  await expect(tagUnlessGone({ createTags }, 'ws-abcdefgh1', TAGS)).rejects.toThrow(/AccessDeniedException/);
});

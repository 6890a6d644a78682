// The shape of the handler (lambda/), the library (src/) and the command (cli/), as rules that
// test/architecture.test.ts checks in `npm test`. docs/architecture.md draws the same layers.
// By hand: npx depcruise lambda src cli
//
// The handler's layers, from the top: the entry points (lambda/index.ts) and the router; one
// module per resource type (lambda/resources/<type>/); the shared layers below them (core:
// the provider contract and ownership; preflight; plan; api; parse). A module imports only
// what is below it.
const SHARED = '^lambda/(core|preflight|plan|api|parse)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import circle: neither module can be read, tested or changed without the other.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-sibling-resource',
      severity: 'error',
      comment: 'A resource module uses the shared layers, never another resource module: move what both need into a shared layer.',
      from: { path: '^lambda/resources/([^/]+)/' },
      to: { path: '^lambda/resources/', pathNot: '^lambda/resources/$1/' },
    },
    {
      name: 'shared-not-upward',
      severity: 'error',
      comment: 'A shared layer serves every resource type, so it knows none of them, nor the router or the entry points.',
      from: { path: SHARED },
      to: { path: '^lambda/(resources/|router\\.ts$|index\\.ts$)' },
    },
    {
      name: 'core-not-upward',
      severity: 'error',
      comment: 'core (the contract, ownership) sits above preflight and plan, which must not depend on it.',
      from: { path: '^lambda/(preflight|plan|api|parse)/' },
      to: { path: '^lambda/core/' },
    },
    {
      name: 'preflight-not-upward',
      severity: 'error',
      comment: 'The pre-flight resolves the desired state with Describe calls; the plan is above nothing of it.',
      from: { path: '^lambda/(plan|api|parse)/' },
      to: { path: '^lambda/preflight/' },
    },
    {
      name: 'plan-and-api-apart',
      severity: 'error',
      comment: 'The plan is pure (observed + desired -> decision) and never calls the service; the API makes calls and never decides.',
      from: { path: '^lambda/(api|parse)/' },
      to: { path: '^lambda/plan/' },
    },
    {
      name: 'api-above-parse',
      severity: 'error',
      comment: 'parse is the bottom layer: the desired state, from properties alone.',
      from: { path: '^lambda/(parse|plan)/' },
      to: { path: '^lambda/api/' },
    },
    {
      name: 'cli-uses-shared-layers-only',
      severity: 'error',
      comment: 'The command shares the layers with the handler, never a resource module, the router or the entry points.',
      from: { path: '^cli/' },
      to: { path: '^lambda/(resources/|router\\.ts$|index\\.ts$)' },
    },
    {
      name: 'library-not-to-handler',
      severity: 'error',
      comment: 'The jsii library ships the handler as a bundled asset; importing its source would compile it into the library.',
      from: { path: '^src/' },
      to: { path: '^(lambda|cli)/' },
    },
    {
      name: 'handler-only-shared-rules',
      severity: 'error',
      comment: 'The handler takes from src/ only the rules and names both sides share (src/private), never a construct (aws-cdk-lib would be bundled).',
      from: { path: '^lambda/' },
      to: { path: '^src/', pathNot: '^src/private/(rules|network-rules|handler-environment|user-agent)\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)node_modules/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.dev.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};

import { awscdk, javascript } from 'projen';

// The floor for users: the lowest aws-cdk-lib the library is built and tested against (`npm test`
// runs every suite on it; `test:cdk-latest` runs the synthesizing ones on the newest). Found by
// trying releases; 2.240.0 is the first that keeps every promise in every language:
// - No deprecated Lambda runtime anywhere in the template. The handlers name their own runtime
//   (below); the Provider framework's functions (onEvent, isComplete, onTimeout) take theirs from
//   aws-cdk-lib's region facts. From 2.221.0 on that is nodejs22.x in every region aws-cdk-lib
//   knows (China, GovCloud and ISO included) and for a region it does not know; 2.220.0 still
//   gives nodejs18.x to us-isob-* and as its default, and so names it in the region mapping of
//   every environment-agnostic stack (Lambda has deprecated nodejs18.x and nodejs20.x). Lambda
//   deprecates nodejs22.x on 30 April 2027: test/runtime.test.ts fails from then on, and the floor
//   rises to 2.259.0, the first with nodejs24.x everywhere. Until 2.259.0 cdk-nag's AwsSolutions-L1
//   finds the framework's functions older than the handlers; src/private/nag.ts suppresses it
//   there only, saying so.
// - Go: the library needs constructs 10.5 (constructsVersion below; cdk-nag 2.38 and cdk-nag 3
//   need it too), which aws-cdk-lib requires from 2.239.0 on. Earlier aws-cdk-go releases do not
//   compile with constructs-go 10.5 (2.221.0: "ambiguous selector ... With" in awsevents), and
//   the Go module proxy cannot verify 2.239.0, so 2.240.0 is the first a Go user can build with.
// - What src/ uses: CustomResource.serviceTimeout (2.174.0), AspectPriority (2.172.0), the
//   Provider's disableWaiterStateMachineLogging; ValidationError takes its message first up to
//   2.240.0 and a name first by 2.257.0, which src/private/errors.ts tells apart. jsii compiles
//   against the floor, and the type-check passes.
// - cdk-nag 2 works from the floor. cdk-nag 3 reads acknowledgements through Validations, which
//   came in 2.257.0, the floor cdk-nag 3 declares itself: src/private/nag.ts acknowledges where
//   Validations exists, so cdk-nag 3 users just need 2.257.0 or newer, as cdk-nag 3 tells them.
// - Every registry has it: npm, PyPI, Maven Central (whose newest is 2.263.0) and the Go module
//   proxy, so the binding tests install the floor itself (test/bindings/).
const cdkVersion = '2.240.0';

// The newest Node.js runtime Lambda offers, for both handlers: the bundle is built for it here,
// and src/private/handler-function.ts names it for the functions (test/runtime.test.ts checks
// that the two agree, and fails as soon as an aws-cdk-lib (the newest one, in
// `test:cdk-latest`) knows a newer Node.js runtime, which is the signal to raise both).
const handlerRuntime = awscdk.LambdaRuntime.NODEJS_24_X;

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-workspaces',
  description: 'Amazon WorkSpaces as AWS CDK constructs: complete properties, in-place updates that wait, safe removal.',
  author: 'cdk-workspaces developers',
  authorAddress: 'cdk-workspaces@users.noreply.github.com',
  repositoryUrl: 'https://github.com/cdk-workspaces/cdk-workspaces.git',
  keywords: ['cdk', 'aws-cdk', 'workspaces', 'amazon-workspaces', 'vdi', 'custom-resource'],
  cdkVersion,
  constructsVersion: '10.5.1',
  defaultReleaseBranch: 'main',
  jsiiVersion: '~6.0.0',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  sampleCode: false,
  stability: 'experimental',
  // The command for brownfield import and drift (cli/), bundled below like the handlers.
  bin: { 'cdk-workspaces': 'assets/cli/cdk-workspaces.js' },

  publishToPypi: {
    distName: 'cdk-workspaces',
    module: 'cdk_workspaces',
  },
  publishToMaven: {
    javaPackage: 'io.github.cdkworkspaces',
    mavenGroupId: 'io.github.cdk-workspaces',
    mavenArtifactId: 'cdk-workspaces',
  },
  publishToGo: {
    moduleName: 'github.com/cdk-workspaces/cdk-workspaces-go',
    packageName: 'cdkworkspaces',
  },

  // One dev config at the top that type-checks everything that is not the jsii library
  // itself: the handler in lambda/, the tests, and this file.
  tsconfigDevFile: 'tsconfig.dev.json',
  tsconfigDev: {
    exclude: ['node_modules', 'test/**/*.snapshot/**', 'cdk.out'],
    compilerOptions: {},
  },

  // The handlers are bundled explicitly below; nothing else in lambda/ is an entrypoint.
  lambdaAutoDiscover: false,

  devDeps: [
    '@aws-sdk/client-workspaces@^3.1048.0',
    // `cdk-workspaces drift --stack` reads the deployed stack's resources (read-only), bundled into the command.
    '@aws-sdk/client-cloudformation@^3.1048.0',
    '@types/aws-lambda',
    // The SDK's own error classification, which the handler bundles (the client already does).
    '@smithy/core',
    'aws-sdk-client-mock@^4.1.0',
    'aws-sdk-client-mock-jest@^4.1.0',
    'esbuild',
    'tsx',
    'cdk-nag@^2.38.2',
    // The newest integ-tests-alpha whose peer (aws-cdk-lib ^2.239.0) the floor satisfies; the
    // registry has no 2.240.0-alpha.0 to match it exactly.
    '@aws-cdk/integ-tests-alpha@2.239.0-alpha.0',
    // aws-cdk-lib's policy validation with AWS CloudFormation Guard, which runs the rules in
    // policy/guard/ in test/policy/guard.test.ts.
    '@cdklabs/cdk-validator-cfnguard',
    '@aws-cdk/integ-runner',
    // Evaluates the handlers' synthesized IAM policies with AWS's evaluation logic in tests
    // (AGPL-3.0: a test tool only, never bundled or shipped).
    '@cloud-copilot/iam-simulate@^0.1.173',
    // Checks the import graph of lambda/, src/ and cli/ in test/architecture.test.ts: no circle,
    // no resource module importing another, no shared layer importing upward. 17 is the newest
    // line that runs on Node 20 (18 needs Node 22).
    'dependency-cruiser@^17.3.9',
  ],

  jestOptions: {
    // A snapshot test that rewrites its snapshot cannot fail: update only on purpose,
    // with `npx projen test:update`.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    jestConfig: {
      roots: ['<rootDir>/src', '<rootDir>/lambda', '<rootDir>/test'],
      testMatch: ['<rootDir>/@(src|lambda|test)/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '\\.snapshot/'],
      coveragePathIgnorePatterns: ['/node_modules/', '/test/'],
    },
  },
  eslintOptions: {
    // Pin every linted file to the one dev config, which covers src/, lambda/ and test/.
    projectService: false,
    tsconfigPath: './tsconfig.dev.json',
    dirs: ['src', 'lambda', 'cli'],
    devdirs: ['test', 'lambda', 'cli'],
  },
  gitignore: ['cdk.out', '/.venv*', '/test/**/cdk.out', '/.m2-cache'],
});

// cdk-nag 3 beside cdk-nag 2, under its own name: the library must be clean under both (the
// `cdk_nag` metadata that 2 reads and the Validations acknowledgements that 3 reads). Its peer is
// aws-cdk-lib ^2.257.0, above the floor, which npm installs with a warning: test/nag.test.ts runs
// its cdk-nag 3 tests where aws-cdk-lib has Validations, i.e. in `test:cdk-latest`.
project.addDevDeps('cdk-nag3@npm:cdk-nag@^3.0.2');
// `npm ci` refuses that peer outright (npm ignores `overrides` for peers), so npm resolves this
// project's tree without peer checks. Nothing in it is installed only as a peer, so the tree is
// the same; the ranges users see are not affected (.npmrc is not published).
project.npmrc.addConfig('legacy-peer-deps', 'true');

// Replace (not extend) projen's catch-all include, so built output is never type-checked.
project.tsconfigDev.file.addOverride('include', ['src/**/*.ts', 'lambda/**/*.ts', 'cli/**/*.ts', 'test/**/*.ts', '.projenrc.ts', 'projenrc/**/*.ts']);

// The mirror these machines install from lacks other platforms' optional bindings of
// unrs-resolver 1.13 (pulled in by jest and the eslint resolver), which breaks `npm ci`
// on a lockfile made here; 1.12.2 has them all.
project.package.addPackageResolutions('unrs-resolver@1.12.2');

// Synthesizing a stack needs the bundles on disk: tests must work from a fresh clone.
const bundleTask = project.bundler.bundleTask;
// The `cdk-workspaces` command, one file with the SDK in it, so that it needs nothing beyond
// the package. Part of `bundle`, so it is built before compiling (and so packaging) and tests.
// Node 18 is the oldest Node that the SDK and aws-cdk-lib still run on.
const bundleCli = project.addTask('bundle:cli', {
  description: 'Bundle the cdk-workspaces command (cli/) into assets/cli',
  exec: 'esbuild --bundle cli/cdk-workspaces.ts --target=node18 --platform=node --outfile=assets/cli/cdk-workspaces.js '
    + '--tsconfig=tsconfig.dev.json --minify --banner:js="#!/usr/bin/env node"',
});
bundleTask.spawn(bundleCli);
// One bundle for both handlers of the stack's single Provider (lambda/index.ts exports onEvent and
// isComplete): one asset to hash at synth and to upload at deploy, one file to load at a cold
// start. The SDK is bundled rather than taken from the Lambda runtime, so the code that is
// tested is the code that runs; its ES module build (`module` before `main`) lets esbuild drop
// the commands the handler never sends (see BENCHMARKS.md for what each choice costs).
const bundleHandler = project.addTask('bundle:lambda', {
  description: 'Bundle both handlers (lambda/index.ts) into assets/lambda/handler, minified',
  exec: `esbuild --bundle lambda/index.ts --target=${handlerRuntime.esbuildTarget} --platform=node `
    + '--outfile=assets/lambda/handler/index.js --tsconfig=tsconfig.dev.json --minify --main-fields=module,main',
});
bundleTask.prependSpawn(bundleHandler);
if (bundleTask) {
  project.testTask.prependSpawn(bundleTask);
}

// jsii compiles src/; this type-checks everything else too (handler, tests, scripts).
const typecheck = project.addTask('typecheck', {
  description: 'Type-check src/, lambda/ and test/ with the dev config',
  exec: 'tsc -p tsconfig.dev.json --noEmit',
});
project.testTask.spawn(typecheck);

// The integ apps must synthesize to their committed snapshots. This never deploys (integ-runner
// deploys only with --update-on-failed/--force); AWS_REGION stops the toolkit from asking the
// instance metadata service, so it needs no network and no credentials.
// test/integ-app.ts runs each app (and says why it has to).
const integArgs = 'integ-runner --directory test --language typescript --app "tsx test/integ-app.ts {filePath}"';
const integSnapshot = project.addTask('integ:snapshot', {
  description: 'Compare the integration test apps with their committed snapshots (no deployment, no AWS credentials)',
  env: { AWS_REGION: 'us-east-1' },
  exec: integArgs,
});
project.testTask.spawn(integSnapshot);
const integUpdate = project.addTask('integ:snapshot:update', {
  description: 'Rewrite the integration test snapshots from the current code and handler bundles, without deploying',
  env: { AWS_REGION: 'us-east-1' },
});
if (bundleTask) {
  integUpdate.spawn(bundleTask);
}
integUpdate.exec(`${integArgs} --force --dry-run`);
project.gitignore.exclude('/test/cdk-integ.out.*');

// The handler's source is bundled into assets/; only the bundle ships.
project.npmignore?.exclude('/lambda/', '/cli/', '/.ci/', '/test/');
// The import rules that test/architecture.test.ts checks.
project.npmignore?.exclude('/.dependency-cruiser.cjs');
// Nor a cloud assembly that a local synth left at the top.
project.npmignore?.exclude('/cdk.out/');

// The README's main job: the whole lifecycle against a local WorkSpaces endpoint.
const demo = project.addTask('demo', {
  description: 'Deploy, change and destroy three WorkSpaces against a local WorkSpaces endpoint',
});
if (bundleTask) {
  demo.spawn(bundleTask);
}
demo.exec('tsx test/local/demo.ts');

// Cross-check of the local endpoint and the handler's calls against moto_server.
project.addTask('test:moto', {
  description: 'Compare the handler\'s calls against moto_server and the local endpoint',
  exec: 'bash test/moto/run.sh',
});

// The command as a user gets it: from the packed npm tarball, installed in an empty directory.
project.addTask('test:cli-package', {
  description: 'Install the packed npm tarball (dist/js) in a temporary directory and run `npx cdk-workspaces` from it',
  exec: 'bash test/cli/package.sh',
});

// The onOutOfBandChange pattern, matched by AWS's own open-source engine (aws/event-ruler).
project.addTask('test:event-ruler', {
  description: 'Match onOutOfBandChange\'s event pattern against CloudTrail records with aws/event-ruler (JUnit via Maven)',
  exec: 'bash test/event-ruler/run.sh',
});

// The jsii bindings, each proved by synthesizing a stack in its own language.
project.addTask('test:python', {
  description: 'Build the Python wheel and synthesize a stack with it (pytest)',
  exec: 'bash test/bindings/python/run.sh',
});
project.addTask('test:java', {
  description: 'Build the Java jar and synthesize a stack with it (JUnit via Maven)',
  exec: 'bash test/bindings/java/run.sh',
});
project.addTask('test:go', {
  description: 'Build the Go module and synthesize a stack with it (go test)',
  exec: 'bash test/bindings/go/run.sh',
});
project.gitignore.exclude('/test/bindings/go/readme-example/');

// The floor (2.240.0) is what `npm test` proves; this proves the newest aws-cdk-lib too: in a
// clean copy of the checkout (the files a clone would have), with the newest aws-cdk-lib installed
// over the floor, every jest suite that synthesizes (the nag tests with cdk-nag 3 among them,
// which need Validations and so skip at the floor), the type-check and the integ snapshot check.
project.addTask('test:cdk-latest', {
  description: 'Run the jest suites that synthesize, the type-check and the integ snapshot check again with the newest aws-cdk-lib, in a clean copy',
  exec: 'bash test/cdk-latest/run.sh',
});

// policy/ ships in the npm package: Guard rules and a checkov custom policy for Custom::Workspace
// (and AWS::WorkSpaces::Workspace), which scanners cannot see into otherwise.
project.npmignore?.exclude('__pycache__/');
project.gitignore.exclude('__pycache__/');

// The policy-as-code rules shipped in policy/, run by checkov itself (the Guard rules run in
// jest, through aws-cdk-lib's policy validation).
project.addTask('test:checkov', {
  description: 'Run checkov with the shipped custom policy on a synthesized template that passes and one that fails',
  exec: 'bash test/policy/checkov/run.sh',
});

// Side-by-side measurements against CloudFormation's own resource.
const bench = project.addTask('bench', {
  description: 'Benchmark synth, the handler bundle and API calls; writes BENCHMARKS.md',
});
if (bundleTask) {
  bench.spawn(bundleTask);
}
bench.exec('tsx test/bench/bench.ts', { receiveArgs: true });

// Issue 4: bindings
// jsii-pacmak gives Maven a fresh temporary local repository on every run, so each jar build
// would download aws-cdk-lib and Maven's plugins again. Keep them in the project's ignored
// .m2-cache instead (relative to the project root, where projen runs tasks); the Java binding
// test's own Maven run shares it. The npm tarball that pacmak packs must never take it in,
// nor a virtualenv of the Python binding test.
const packageJava = project.tasks.tryFind('package:java');
if (!packageJava) {
  throw new Error('no package:java task');
}
packageJava.reset();
packageJava.exec('jsii-pacmak -v --target java --maven-local-repository .m2-cache');
project.npmignore?.exclude('/.m2-cache/', '/.venv*');
project.gitignore.exclude('/test/bindings/java/target/');
project.gitignore.exclude('/test/event-ruler/target/');

// The README's TypeScript examples become the Python and Java examples of those packages
// (jsii-rosetta translates them). Strict mode fails on any example that does not compile
// against the library and rosetta/default.ts-fixture, so they cannot rot. Every build checks
// them, and so do both binding suites, whose packages then carry the checked translations
// (pacmak reads the tablet that this writes next to .jsii).
const rosetta = project.addTask('rosetta:extract', {
  description: 'Compile the README\'s TypeScript examples (jsii-rosetta, strict) and translate them',
  exec: 'jsii-rosetta extract --strict',
});
project.postCompileTask.spawn(rosetta);
project.gitignore.exclude('/.jsii.tabl.json');

project.synth();

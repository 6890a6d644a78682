package io.github.cdkworkspaces.bindings;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.cdkworkspaces.BundleChange;
import io.github.cdkworkspaces.BundleOwner;
import io.github.cdkworkspaces.ComputeType;
import io.github.cdkworkspaces.CustomWorkspaceBundle;
import io.github.cdkworkspaces.DisruptionPolicy;
import io.github.cdkworkspaces.IWorkspace;
import io.github.cdkworkspaces.IWorkspaceImage;
import io.github.cdkworkspaces.IWorkspacesDirectory;
import io.github.cdkworkspaces.IpAccessControlGroup;
import io.github.cdkworkspaces.RunningMode;
import io.github.cdkworkspaces.SelfservicePermissions;
import io.github.cdkworkspaces.Workspace;
import io.github.cdkworkspaces.WorkspaceBundle;
import io.github.cdkworkspaces.WorkspaceFleet;
import io.github.cdkworkspaces.WorkspaceFleetUserOptions;
import io.github.cdkworkspaces.WorkspaceImage;
import io.github.cdkworkspaces.WorkspaceImageCaptureOptions;
import io.github.cdkworkspaces.WorkspacesDirectory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awscdk.App;
import software.amazon.awscdk.Duration;
import software.amazon.awscdk.Environment;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Size;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.Tags;
import software.amazon.awscdk.assertions.Match;
import software.amazon.awscdk.assertions.Template;
import software.amazon.jsii.JsiiException;
import software.constructs.Construct;

/**
 * The Java binding, as a Java user meets it: the jar built from this checkout, driven with
 * the builders and enums that jsii generates.
 */
class WorkspaceBindingTest {

    private static Stack newStack() {
        return new Stack(new App(), "Desktops", StackProps.builder()
                .env(Environment.builder().account("111122223333").region("eu-west-1").build())
                .build());
    }

    private static Template twoWorkspaces() {
        Stack stack = newStack();
        Tags.of(stack).add("team", "platform");
        IWorkspacesDirectory directory = WorkspacesDirectory.fromDirectoryId(stack, "Directory", "d-1234567890");
        Workspace alice = Workspace.Builder.create(stack, "Alice")
                .directory(directory)
                .bundle(WorkspaceBundle.fromBundleId("wsb-12345678"))
                .userName("alice")
                .runningMode(RunningMode.AUTO_STOP)
                .autoStopTimeout(Duration.hours(2))
                .build();
        Tags.of(alice).add("cost-center", "42");
        Workspace.Builder.create(stack, "Bob")
                .directory(directory)
                .bundle(WorkspaceBundle.fromBundleId("wsb-12345678"))
                .userName("bob")
                .runningMode(RunningMode.ALWAYS_ON)
                .removalPolicy(RemovalPolicy.DESTROY)
                .adoptExisting(true)
                .disruptionPolicy(DisruptionPolicy.IMMEDIATE)
                .bundleChange(BundleChange.REFUSE)
                .build();
        return Template.fromStack(stack);
    }

    private static Map<String, Object> tag(final String key, final String value) {
        return Map.of("Key", key, "Value", value);
    }

    @Test
    void rendersEachWorkspaceUnderTheApiNames() {
        Template template = twoWorkspaces();
        template.hasResourceProperties("Custom::Workspace", Match.objectEquals(Map.of(
                "ServiceToken", Match.anyValue(),
                "DirectoryId", "d-1234567890",
                "BundleId", "wsb-12345678",
                "UserName", "alice",
                "RootVolumeEncryptionEnabled", "false",
                "UserVolumeEncryptionEnabled", "false",
                "WorkspaceProperties", Map.of("RunningMode", "AUTO_STOP", "RunningModeAutoStopTimeoutInMinutes", 120),
                "Tags", List.of(tag("cost-center", "42"), tag("team", "platform")),
                "TimeoutSeconds", 3300,
                "ServiceTimeout", "3600")));
        template.hasResourceProperties("Custom::Workspace", Match.objectEquals(Map.ofEntries(
                Map.entry("ServiceToken", Match.anyValue()),
                Map.entry("DirectoryId", "d-1234567890"),
                Map.entry("BundleId", "wsb-12345678"),
                Map.entry("UserName", "bob"),
                Map.entry("RootVolumeEncryptionEnabled", "false"),
                Map.entry("UserVolumeEncryptionEnabled", "false"),
                Map.entry("WorkspaceProperties", Map.of("RunningMode", "ALWAYS_ON")),
                Map.entry("Tags", List.of(tag("team", "platform"))),
                Map.entry("TimeoutSeconds", 3300),
                Map.entry("ServiceTimeout", "3600"),
                Map.entry("AdoptExisting", "true"),
                Map.entry("DisruptionPolicy", "IMMEDIATE"),
                Map.entry("BundleChange", "REFUSE"))));
    }

    @Test
    void retainsByDefaultAndDeletesWithRemovalPolicyDestroy() {
        Template template = twoWorkspaces();
        // The default, RETAIN_ON_UPDATE_OR_DELETE: kept on delete and replacement, not when its
        // own creation rolls back.
        template.hasResource("Custom::Workspace", Map.of(
                "Properties", Map.of("UserName", "alice"),
                "DeletionPolicy", "RetainExceptOnCreate",
                "UpdateReplacePolicy", "Retain"));
        template.hasResource("Custom::Workspace", Map.of(
                "Properties", Map.of("UserName", "bob"),
                "DeletionPolicy", "Delete",
                "UpdateReplacePolicy", "Delete"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void oneProviderServesBothWorkspaces() {
        Template template = twoWorkspaces();
        template.resourceCountIs("Custom::Workspace", 2);
        template.resourceCountIs("AWS::StepFunctions::StateMachine", 1);
        Set<Object> tokens = new HashSet<>();
        for (Map<String, Object> resource : template.findResources("Custom::Workspace").values()) {
            tokens.add(((Map<String, Object>) resource.get("Properties")).get("ServiceToken"));
        }
        assertEquals(1, tokens.size(), "service tokens: " + tokens);
    }

    @Test
    void aValidationErrorReachesJavaNamingTheProp() {
        Stack stack = newStack();
        IWorkspacesDirectory directory = WorkspacesDirectory.fromDirectoryId(stack, "Directory", "d-1234567890");
        JsiiException error = assertThrows(JsiiException.class, () -> Workspace.Builder.create(stack, "Bad")
                .directory(directory)
                .bundle(WorkspaceBundle.fromBundleId("wsb-123"))
                .userName("alice")
                .build());
        assertTrue(error.getMessage().contains("Invalid bundle.bundleId \"wsb-123\""), error.getMessage());
    }

    @Test
    void aBundleByNameAndOwner() {
        Stack stack = newStack();
        Workspace.Builder.create(stack, "Carol")
                .directory(WorkspacesDirectory.fromDirectoryId(stack, "Directory", "d-1234567890"))
                .bundle(WorkspaceBundle.fromName("Standard with Windows 10 (Server 2022 based)", BundleOwner.AMAZON))
                .userName("carol")
                .build();
        Template.fromStack(stack).hasResourceProperties("Custom::Workspace", Map.of(
                "BundleName", "Standard with Windows 10 (Server 2022 based)",
                "BundleOwner", "AMAZON",
                "BundleId", Match.absent()));
    }

    /**
     * Registering a directory is a custom resource of the library's provider (CloudFormation's
     * AWS::WorkSpaces::Directory cannot register one by id), so it works from the floor on.
     */
    @Test
    void aDirectoryRegisteredInJava() {
        Stack stack = newStack();
        WorkspacesDirectory.Builder.create(stack, "Registered")
                .directoryId("d-2234567890")
                .selfservicePermissions(SelfservicePermissions.builder().increaseVolumeSize(true).build())
                // An imported group: the Java stand-in aws-cdk-lib (see floor-stand-in.sh) may predate
                // CloudFormation's AWS::WorkSpaces::WorkspaceIpGroup, which a declared group needs.
                .ipGroups(List.of(IpAccessControlGroup.fromGroupId(stack, "Office", "wsipg-abcdef12")))
                .build();
        Template.fromStack(stack).hasResourceProperties("Custom::WorkspacesDirectory", Map.of(
                "DirectoryId", "d-2234567890",
                "IpGroupIds", List.of("wsipg-abcdef12"),
                "SelfservicePermissions", Match.objectLike(Map.of("IncreaseVolumeSize", "ENABLED"))));
    }

    @Test
    void theJarCarriesTheHandlerBundle() throws IOException {
        Path jar = Path.of(jarOf(Workspace.class));
        List<String> names;
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            ZipEntry tarball = zip.stream()
                    .filter(e -> e.getName().endsWith(".jsii.tgz"))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no .jsii.tgz in " + jar));
            try (InputStream in = new GZIPInputStream(zip.getInputStream(tarball))) {
                names = tarEntryNames(in);
            }
        }
        // One bundle serves both handlers (index.onEvent, index.isComplete).
        assertTrue(names.contains("package/assets/lambda/handler/index.js"), names.toString());
    }

    /** The Java example of docs/languages.md compiles and runs as written against this classpath. */
    @Test
    void theReadmeJavaExampleRunsAsWritten(@TempDir final Path dir) throws Exception {
        Path source = dir.resolve("src/DesktopsApp.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, readmeJavaBlock());
        Path classes = Files.createDirectories(dir.resolve("classes"));

        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int status = javac.run(null, diagnostics, diagnostics, "-Werror", "-Xlint:all,-processing,-path",
                "-classpath", System.getProperty("java.class.path"),
                "-d", classes.toString(), source.toString());
        assertEquals(0, status, "the Java example of docs/languages.md does not compile:\n" + diagnostics.toString(StandardCharsets.UTF_8));

        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            loader.loadClass("DesktopsApp").getMethod("main", String[].class).invoke(null, (Object) new String[0]);

            App app = new App();
            Constructor<?> stackClass = loader.loadClass("DesktopsStack").getDeclaredConstructor(Construct.class, String.class);
            stackClass.setAccessible(true);
            Stack stack = (Stack) stackClass.newInstance(app, "Desktops");
            Template template = Template.fromStack(stack);
            template.resourceCountIs("Custom::Workspace", 2);
            template.hasResourceProperties("Custom::Workspace", Map.of(
                    "UserName", "alice",
                    "WorkspaceProperties", Map.of("RunningMode", "AUTO_STOP", "RunningModeAutoStopTimeoutInMinutes", 120),
                    "Tags", List.of(tag("cost-center", "42"))));
            template.hasResource("Custom::Workspace", Map.of(
                    "Properties", Map.of("UserName", "bob"),
                    "DeletionPolicy", "Delete"));
        }
    }

    private static String readmeJavaBlock() throws IOException {
        String readme = Files.readString(Path.of(System.getProperty("readme")));
        Matcher block = Pattern.compile("^```java\\n(.*?)^```", Pattern.MULTILINE | Pattern.DOTALL).matcher(readme);
        List<String> blocks = new ArrayList<>();
        while (block.find()) {
            blocks.add(block.group(1));
        }
        assertEquals(1, blocks.size(), "docs/languages.md has one Java example");
        return blocks.get(0);
    }

    private static String jarOf(final Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The entry names of a tar stream (ustar: name, and prefix for long names). */
    private static List<String> tarEntryNames(final InputStream in) throws IOException {
        List<String> names = new ArrayList<>();
        byte[] header = new byte[512];
        while (in.readNBytes(header, 0, 512) == 512) {
            String name = field(header, 0, 100);
            if (name.isEmpty()) {
                break;
            }
            String prefix = field(header, 345, 155);
            names.add(prefix.isEmpty() ? name : prefix + "/" + name);
            long size = Long.parseLong(field(header, 124, 12).trim(), 8);
            in.skipNBytes((size + 511) / 512 * 512);
        }
        return names;
    }

    private static String field(final byte[] header, final int offset, final int length) {
        int end = offset;
        while (end < offset + length && header[end] != 0) {
            end++;
        }
        return new String(header, offset, end - offset, StandardCharsets.US_ASCII);
    }

    @Test
    void aFleetRendersEveryUserAndExposesOne() {
        Stack stack = newStack();
        WorkspaceFleet fleet = WorkspaceFleet.Builder.create(stack, "Sales")
                .directory(WorkspacesDirectory.fromDirectoryId(stack, "Directory", "d-1234567890"))
                .bundle(WorkspaceBundle.fromBundleId("wsb-12345678"))
                .users(List.of("alice", "bob"))
                .runningMode(RunningMode.ALWAYS_ON)
                .build();
        fleet.addUser("carol", WorkspaceFleetUserOptions.builder()
                .computeType(ComputeType.POWER)
                .tags(Map.of("role", "lead"))
                .build());
        Tags.of(fleet).add("team", "sales");
        IWorkspace carol = fleet.workspace("carol");
        assertTrue(carol.getWorkspaceId() != null);

        Template template = Template.fromStack(stack);
        template.resourceCountIs("Custom::WorkspaceFleet", 1);
        template.hasResourceProperties("Custom::WorkspaceFleet", Map.of(
                "Users", List.of(
                        Map.of("UserName", "alice"),
                        Map.of("UserName", "bob"),
                        Map.of("UserName", "carol",
                                "WorkspaceProperties", Map.of("ComputeTypeName", "POWER"),
                                "Tags", List.of(tag("role", "lead")))),
                "Tags", List.of(tag("team", "sales")),
                "ExportedUsers", List.of("carol")));
    }

    @Test
    void aUserTwiceReachesJavaNamingTheFleet() {
        Stack stack = newStack();
        WorkspaceFleet fleet = WorkspaceFleet.Builder.create(stack, "Sales")
                .directory(WorkspacesDirectory.fromDirectoryId(stack, "Directory", "d-1234567890"))
                .bundle(WorkspaceBundle.fromBundleId("wsb-12345678"))
                .users(List.of("alice"))
                .build();
        RuntimeException error = assertThrows(RuntimeException.class, () -> fleet.addUser("ALICE"));
        assertTrue(error.getMessage().contains("Desktops/Sales: Invalid userName \"ALICE\""), error.getMessage());
    }

    @Test
    void aGoldenImageMakesACustomBundleThatAFleetUses() {
        Stack stack = newStack();
        IWorkspacesDirectory directory = WorkspacesDirectory.fromDirectoryId(stack, "Directory", "d-1234567890");
        Workspace builder = Workspace.Builder.create(stack, "Builder")
                .directory(directory)
                .bundle(WorkspaceBundle.fromBundleId("wsb-12345678"))
                .userName("image-builder")
                .build();
        WorkspaceImage image = WorkspaceImage.fromWorkspace(stack, "Golden", builder,
                WorkspaceImageCaptureOptions.builder().imageName("golden-1").timeout(Duration.minutes(50)).build());
        CustomWorkspaceBundle bundle = CustomWorkspaceBundle.Builder.create(stack, "GoldenBundle")
                .image(image)
                .bundleName("golden-standard")
                .computeType(ComputeType.STANDARD)
                .userVolumeSize(Size.gibibytes(100))
                .build();
        // The fleet takes the custom bundle as it takes WorkspaceBundle.fromName.
        WorkspaceFleet.Builder.create(stack, "Team")
                .directory(directory)
                .bundle(bundle)
                .users(List.of("ana", "ben"))
                .build();

        Template template = Template.fromStack(stack);
        template.hasResourceProperties("Custom::WorkspaceImage", Map.of("ImageName", "golden-1", "TimeoutSeconds", 3000));
        template.hasResourceProperties("Custom::WorkspaceCustomBundle", Map.of(
                "BundleName", "golden-standard",
                "ComputeTypeName", "STANDARD",
                "RootVolumeSizeGib", 80,
                "UserVolumeSizeGib", 100,
                "ImageId", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("^Golden"), "ImageId"))));
        template.hasResourceProperties("Custom::WorkspaceFleet", Map.of(
                "BundleId", Map.of("Fn::GetAtt", List.of(Match.stringLikeRegexp("^GoldenBundle"), "BundleId"))));

        IWorkspaceImage existing = WorkspaceImage.fromImageId(stack, "Existing", "wsi-123456789");
        RuntimeException error = assertThrows(RuntimeException.class, () -> CustomWorkspaceBundle.Builder.create(stack, "Bad")
                .image(existing)
                .bundleName("golden")
                .computeType(ComputeType.STANDARD)
                .rootVolumeSize(Size.gibibytes(90))
                .build());
        assertTrue(error.getMessage().contains("Desktops/Bad: Invalid rootVolumeSize 90 GiB"), error.getMessage());
    }
}

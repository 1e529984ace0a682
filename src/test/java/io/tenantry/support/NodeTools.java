package io.tenantry.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The npm tools the contract tests run (src/test/contract/package.json, pinned by its
 * lock file), installed there with {@code npm ci} on first use. Without Node.js the tests
 * are skipped and the output says so plainly, unless CI=true or TENANTRY_REQUIRE_NODE=true,
 * where they fail instead (.ci/run installs Node.js).
 */
public class NodeTools implements ExecutionCondition {

    public static final Path DIRECTORY = Path.of("src/test/contract").toAbsolutePath();
    private static final AtomicBoolean WARNED = new AtomicBoolean();
    private static volatile boolean installed;

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (onPath("node") && onPath("npm")) {
            return ConditionEvaluationResult.enabled("Node.js and npm are installed");
        }
        return MissingTool.skipOrFail("API contract tool tests", "Node.js or npm", "apt-get install -y nodejs npm",
                "TENANTRY_REQUIRE_NODE", WARNED);
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String directory : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(directory, command))) {
                return true;
            }
        }
        return false;
    }

    /** What a command run in {@link #DIRECTORY} printed, and how it ended. */
    public record Run(int exitCode, String output) {
    }

    /** Runs one of the installed tools ({@code node_modules/.bin/<tool>}) with these arguments. */
    public static Run tool(String tool, String... arguments) throws IOException, InterruptedException {
        install();
        List<String> command = new ArrayList<>(List.of(DIRECTORY.resolve("node_modules/.bin").resolve(tool)
                .toString()));
        command.addAll(List.of(arguments));
        return run(command, Map.of(), 180);
    }

    /** Runs a script with Node.js, with these variables added to its environment. */
    public static Run node(Path script, Map<String, String> environment) throws IOException, InterruptedException {
        install();
        return run(List.of("node", script.toString()), environment, 180);
    }

    /** A file of an installed package, such as a script to load into a page. */
    public static Path installed(String path) throws IOException, InterruptedException {
        install();
        return DIRECTORY.resolve("node_modules").resolve(path);
    }

    /** Installs the pinned tools once per test run. */
    public static synchronized void install() throws IOException, InterruptedException {
        if (installed) {
            return;
        }
        Run install = run(List.of("npm", "ci", "--no-audit", "--no-fund"), Map.of(), 600);
        if (install.exitCode() != 0) {
            throw new IllegalStateException("npm ci in " + DIRECTORY + " failed:\n" + install.output());
        }
        installed = true;
    }

    private static Run run(List<String> command, Map<String, String> environment, int timeoutSeconds)
            throws IOException, InterruptedException {
        Path output = Files.createTempFile("node-tool", ".log");
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(DIRECTORY.toFile()).redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            builder.environment().putAll(environment);
            Process process = builder.start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in "
                        + timeoutSeconds + " s:\n" + Files.readString(output, StandardCharsets.UTF_8));
            }
            return new Run(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }
}

package io.tenantry.support;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The real server as a process of its own, started from the test class path with the
 * environment an operator would give it: for tests that kill it, restart it, or run two.
 */
public final class ServerProcess implements AutoCloseable {

    private final Map<String, String> environment;
    private final int port;
    private final File log;
    private Process process;

    private ServerProcess(Map<String, String> environment, int port, File log) {
        this.environment = environment;
        this.port = port;
        this.log = log;
    }

    /**
     * A server on a free port, on {@code database} (the environment naming it), with the
     * given extra settings; not started yet.
     */
    public static ServerProcess on(Map<String, String> database, Map<String, String> settings) throws IOException {
        Map<String, String> environment = new HashMap<>(database);
        environment.putAll(settings);
        // On PostgreSQL each node still keeps a directory of its own (its search index), as in production.
        if (!environment.containsKey("TENANTRY_DATA_DIR")) {
            environment.put("TENANTRY_DATA_DIR", Files.createTempDirectory("tenantry-node").toString());
        }
        // The test JVM's cached contexts share PostgreSQL's 100 connections with these nodes;
        // a node's default pool of 16, all held idle, would leave too few when two run.
        environment.putIfAbsent("TENANTRY_DB_POOL_SIZE", "8");
        int port = freePort();
        environment.put("TENANTRY_PORT", String.valueOf(port));
        return new ServerProcess(environment, port, File.createTempFile("tenantry-server-" + port + "-", ".log"));
    }

    /**
     * A database for server processes: a fresh PostgreSQL database in the PostgreSQL run,
     * else an H2 file database in a directory of its own (the embedded default).
     */
    public static Map<String, String> freshDatabase() throws IOException {
        if (TestDatabase.postgres()) {
            return TestDatabase.postgresEnvironment();
        }
        return Map.of("TENANTRY_DATA_DIR", Files.createTempDirectory("tenantry-process").toString());
    }

    public Api api() {
        return new Api(port);
    }

    public int port() {
        return port;
    }

    /** Starts the server and waits until it answers its health check. */
    public ServerProcess start() throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "io.tenantry.TenantryApplication");
        builder.environment().putAll(environment);
        builder.redirectErrorStream(true);
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log));
        process = builder.start();
        Api api = api();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(120));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the server exited with " + process.exitValue() + "; see " + log);
            }
            try {
                if (api.get("/actuator/health").send().status() == 200) {
                    return this;
                }
            } catch (IllegalStateException notYet) {
                Thread.sleep(250);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("the server did not start within 120 s; see " + log);
    }

    /** SIGTERM, as an operator's stop sends it; waits until the server has exited. */
    public void stop() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed that was not already durable. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** What the server has written to its log so far. */
    public String log() throws IOException {
        return Files.readString(log.toPath());
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            kill();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

package io.tenantry.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

import io.tenantry.support.Platform;
import io.tenantry.support.ServerTest;
import io.tenantry.support.TenantryTest;

/**
 * A client that sends its body a byte at a time cannot hold a request thread for as long as
 * it likes: the body must arrive within tenantry.request-body-timeout (two seconds here), and
 * what a refused request did not send in that time is not waited for. The server answers, and
 * closes the connection.
 */
@TenantryTest
@TestPropertySource(properties = {"tenantry.test.context=slow-bodies", "tenantry.request-body-timeout=PT2S",
        "server.tomcat.connection-timeout=3s"})
class SlowBodiesTest extends ServerTest {

    /** How long the server may take to let go of a trickling client: the timeout, one wait for a byte, slack. */
    static final long LET_GO_SECONDS = 2 + 3 + 4;

    @Test
    void aRefusedRequestWhoseBodyTricklesInIsLetGoNotReadForever() throws Exception {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write(head("POST /api/agents", null, 100_000).getBytes(StandardCharsets.US_ASCII));
            out.write('{');
            out.flush();
            Thread trickle = trickle(out, 200);
            try {
                Answer answer = readUntilClosed(socket, LET_GO_SECONDS + 5);
                assertThat(answer.text()).startsWith("HTTP/1.1 401");
                assertThat(answer.closedAfterSeconds()).as("the connection was closed while the client still sent")
                        .isLessThan(LET_GO_SECONDS);
            } finally {
                trickle.interrupt();
            }
        }
    }

    @Test
    void aBodyThatTakesTooLongIsRefusedWith408AndChangesNothing() throws Exception {
        String name = Platform.unique("Slow org");
        String answer = sendSlowly("POST /api/organizations", owner, "{\"name\": \"" + name + "\"}");
        assertThat(answer).startsWith("HTTP/1.1 408").contains("application/problem+json")
                .contains("did not arrive within 2 seconds");
        assertThat(api.get("/api/organizations?q=" + name.replace(" ", "%20")).as(owner).send().expect(200).items())
                .isEmpty();
    }

    @Test
    void aGatewayCallWhoseBodyTakesTooLongGetsOpenAisErrorObject() throws Exception {
        String key = platform.issueKey(platform.createAgent(platform.createOrg("Slow gateway org"), "Slow caller"));
        String answer = sendSlowly("POST /agent/v1/chat/completions", key,
                "{\"model\": \"gpt-4o\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}");
        assertThat(answer).startsWith("HTTP/1.1 408").contains("\"error\"")
                .contains("\"type\":\"invalid_request_error\"").contains("did not arrive within 2 seconds");
    }

    /**
     * Sends {@code json}, padded to a few hundred bytes, a byte every 20 ms (longer than the
     * timeout in all), and answers what came back once the server closed the connection,
     * which it must do in time.
     */
    String sendSlowly(String requestLine, String token, String json) throws Exception {
        byte[] body = (json + " ".repeat(400)).getBytes(StandardCharsets.US_ASCII);
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            out.write(head(requestLine, token, body.length).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread trickle = new Thread(() -> {
                try {
                    for (byte b : body) {
                        out.write(b);
                        out.flush();
                        Thread.sleep(20);
                    }
                } catch (IOException | InterruptedException stopped) {
                    // The server closed the connection, as it should.
                }
            });
            trickle.start();
            try {
                Answer answer = readUntilClosed(socket, LET_GO_SECONDS + 5);
                assertThat(answer.closedAfterSeconds()).as(answer.text()).isLessThan(LET_GO_SECONDS);
                return answer.text();
            } finally {
                trickle.interrupt();
            }
        }
    }

    @Test
    void aRefusedRequestWhoseBodyCameWholeKeepsItsConnection() throws Exception {
        try (Socket socket = connect()) {
            OutputStream out = socket.getOutputStream();
            String body = "{\"name\": \"Not signed in\"}";
            out.write((head("POST /api/agents", null, body.length()) + body).getBytes(StandardCharsets.US_ASCII));
            out.write(("GET /actuator/health HTTP/1.1\r\nHost: localhost\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String both = readFor(socket, 5, "\"UP\"");
            assertThat(both).startsWith("HTTP/1.1 401").doesNotContainIgnoringCase("connection: close")
                    .contains("HTTP/1.1 200");
        }
    }

    Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(500);
        return socket;
    }

    static String head(String requestLine, String token, int contentLength) {
        return requestLine + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                + "Content-Length: " + contentLength + "\r\n\r\n";
    }

    /** Sends a space every {@code millis} until interrupted or the connection is gone. */
    static Thread trickle(OutputStream out, long millis) {
        Thread thread = new Thread(() -> {
            try {
                while (true) {
                    Thread.sleep(millis);
                    out.write(' ');
                    out.flush();
                }
            } catch (IOException | InterruptedException stopped) {
                // Closed by the server, or the test is over.
            }
        });
        thread.start();
        return thread;
    }

    record Answer(String text, double closedAfterSeconds) {
    }

    /** What the server sends until it closes the connection, and when it did (at most {@code seconds}). */
    static Answer readUntilClosed(Socket socket, long seconds) throws IOException {
        long start = System.nanoTime();
        long until = start + TimeUnit.SECONDS.toNanos(seconds);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[4096];
        while (System.nanoTime() < until) {
            try {
                int n = in.read(buffer);
                if (n < 0) {
                    return new Answer(got.toString(StandardCharsets.UTF_8), (System.nanoTime() - start) / 1e9);
                }
                got.write(buffer, 0, n);
            } catch (SocketTimeoutException nothingYet) {
                // Still open.
            } catch (IOException reset) {
                return new Answer(got.toString(StandardCharsets.UTF_8), (System.nanoTime() - start) / 1e9);
            }
        }
        return new Answer(got.toString(StandardCharsets.UTF_8), Double.POSITIVE_INFINITY);
    }

    /** What the server sends within {@code seconds}, or until what it sent contains {@code last}. */
    static String readFor(Socket socket, long seconds, String last) throws IOException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[4096];
        while (System.nanoTime() < until && !got.toString(StandardCharsets.UTF_8).contains(last)) {
            try {
                int n = in.read(buffer);
                if (n < 0) {
                    break;
                }
                got.write(buffer, 0, n);
            } catch (SocketTimeoutException nothingYet) {
                // Keep reading.
            }
        }
        return got.toString(StandardCharsets.UTF_8);
    }
}

package io.tenantry.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's own HTTP/1.1 client against upstreams scripted byte by byte: the framings an
 * answer can have, connections kept and replaced, the waits it must not exceed, the answers
 * it must refuse to guess at, and TLS that checks the upstream's name.
 */
class UpstreamHttpTest {

    /** What one connection's next answer is: written by the test, byte for byte. */
    interface Answer {
        void write(Socket socket, OutputStream out) throws Exception;
    }

    /** A server on 127.0.0.1 that reads each request whole and answers it with the script's next answer. */
    static final class Scripted implements AutoCloseable {
        final ServerSocket server;
        final List<String> requests = new CopyOnWriteArrayList<>();
        final AtomicInteger connections = new AtomicInteger();
        /** Connections that ended, by either side. */
        final AtomicInteger ended = new AtomicInteger();
        private final List<Answer> script = new CopyOnWriteArrayList<>();

        Scripted(ServerSocket server, Answer... answers) {
            this.server = server;
            script.addAll(List.of(answers));
            Thread acceptor = new Thread(this::accept, "scripted-upstream");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        Scripted(Answer... answers) throws IOException {
            this(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), answers);
        }

        URI uri(String scheme, String host) {
            return URI.create(scheme + "://" + host + ":" + server.getLocalPort() + "/v1/chat/completions");
        }

        URI uri() {
            return uri("http", "127.0.0.1");
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    connections.incrementAndGet();
                    Thread serving = new Thread(() -> serve(socket), "scripted-connection");
                    serving.setDaemon(true);
                    serving.start();
                } catch (IOException closed) {
                    return;
                }
            }
        }

        private void serve(Socket socket) {
            try (socket) {
                InputStream in = socket.getInputStream();
                OutputStream out = socket.getOutputStream();
                while (!socket.isClosed()) {
                    String request = readRequest(in);
                    if (request == null) {
                        return;
                    }
                    requests.add(request);
                    Answer answer = script.size() > 1 ? script.remove(0) : script.get(0);
                    answer.write(socket, out);
                    out.flush();
                }
            } catch (Exception gone) {
                // The client went, or the answer closed the connection on purpose.
            } finally {
                ended.incrementAndGet();
            }
        }

        private static String readRequest(InputStream in) throws IOException {
            StringBuilder head = new StringBuilder();
            int length = 0;
            while (true) {
                String line;
                try {
                    line = UpstreamHttp.line(in, 64 * 1024);
                } catch (EOFException closed) {
                    return null;
                }
                if (line.isEmpty()) {
                    break;
                }
                if (line.toLowerCase().startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).strip());
                }
                head.append(line).append('\n');
            }
            return head + "\n" + new String(in.readNBytes(length), StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    static Answer whole(String body, String... headers) {
        return (socket, out) -> out.write(("HTTP/1.1 200 OK\r\n" + String.join("", headers) + "Content-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
    }

    static void write(OutputStream out, String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    final UpstreamHttp http = new UpstreamHttp((SSLSocketFactory) SSLSocketFactory.getDefault());
    static final String ORG_A = "org A";
    static final String ORG_B = "org B";
    static final Duration WAIT = Duration.ofSeconds(5);

    @AfterEach
    void closeKept() {
        http.closeIdle();
    }

    UpstreamHttp.Answer post(URI uri) throws IOException {
        return post(uri, ORG_A);
    }

    UpstreamHttp.Answer post(URI uri, String owner) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put("Authorization", "Bearer sk-test");
        return http.post(uri, owner, headers, "{\"model\":\"m\"}".getBytes(StandardCharsets.UTF_8), 1000, WAIT);
    }

    /** Asserts that a call to the upstream given {@code firstByte} gives up with a timeout, well within {@code within}. */
    void timesOut(Scripted upstream, Duration firstByte, Duration within) {
        long started = System.nanoTime();
        assertThatThrownBy(() -> http.post(upstream.uri(), ORG_A, Map.of(), new byte[0], 1000, firstByte))
                .isInstanceOf(SocketTimeoutException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(within);
    }

    static String text(UpstreamBody body) throws Exception {
        return new String(body.readAll(() -> WAIT, 1024 * 1024), StandardCharsets.UTF_8);
    }

    @Test
    void aLengthFramedAnswerIsReadWholeAndItsConnectionServesTheNextCall() throws Exception {
        try (Scripted upstream = new Scripted(whole("{\"ok\":true}", "Content-Type: application/json\r\n"))) {
            UpstreamHttp.Answer first = post(upstream.uri());
            assertThat(first.status()).isEqualTo(200);
            assertThat(first.header("content-type")).isEqualTo("application/json");
            assertThat(text(first.body())).isEqualTo("{\"ok\":true}");
            assertThat(text(post(upstream.uri()).body())).isEqualTo("{\"ok\":true}");

            assertThat(upstream.connections.get()).as("the second call on the first's connection").isEqualTo(1);
            assertThat(upstream.requests).hasSize(2);
            assertThat(upstream.requests.get(0)).startsWith("POST /v1/chat/completions HTTP/1.1\n")
                    .contains("Host: 127.0.0.1:" + upstream.server.getLocalPort() + "\n", "Content-Length: 13\n",
                            "Authorization: Bearer sk-test\n", "User-Agent: Tenantry\n")
                    .endsWith("\n\n{\"model\":\"m\"}");
        }
    }

    /** Calls take the most recent kept connection: older ones are closed when their time is up, not left to the upstream. */
    @Test
    void keptConnectionsPastTheirKeepTimeAreClosedWithoutWaitingForACall() throws Exception {
        try (Scripted upstream = new Scripted(whole("{}", "Keep-Alive: timeout=3\r\n"))) {
            UpstreamHttp.Answer first = post(upstream.uri());
            UpstreamHttp.Answer second = post(upstream.uri());
            text(first.body());
            text(second.body());

            http.closeExpired(System.nanoTime());
            assertThat(text(post(upstream.uri()).body())).isEqualTo("{}");
            assertThat(upstream.connections.get()).as("both kept within the upstream's time less a second").isEqualTo(2);
            assertThat(upstream.ended.get()).isZero();

            http.closeExpired(System.nanoTime() + Duration.ofSeconds(2).toNanos());
            long until = System.nanoTime() + WAIT.toNanos();
            while (upstream.ended.get() < 2 && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertThat(upstream.ended.get()).as("both closed two seconds on").isEqualTo(2);
            assertThat(text(post(upstream.uri()).body())).isEqualTo("{}");
            assertThat(upstream.connections.get()).as("a new connection for the next call").isEqualTo(3);
        }
    }

    @Test
    void chunksReachTheCallerAsTheyArriveNotWhenTheAnswerEnds() throws Exception {
        CountDownLatch firstRead = new CountDownLatch(1);
        Answer streamed = (socket, out) -> {
            write(out, "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5;name=value\r\nhello\r\n");
            firstRead.await(5, TimeUnit.SECONDS);
            write(out, "6\r\n world\r\n0\r\nX-Trailer: yes\r\n\r\n");
        };
        try (Scripted upstream = new Scripted(streamed, whole("again"))) {
            UpstreamBody body = post(upstream.uri()).body();
            assertThat(new String(body.next(WAIT), StandardCharsets.UTF_8)).as("before the rest was sent")
                    .isEqualTo("hello");
            firstRead.countDown();
            assertThat(new String(body.next(WAIT), StandardCharsets.UTF_8)).isEqualTo(" world");
            assertThat(body.next(WAIT)).isNull();
            assertThat(body.next(WAIT)).as("and stays ended").isNull();

            assertThat(text(post(upstream.uri()).body())).isEqualTo("again");
            assertThat(upstream.connections.get()).as("trailers read, the connection kept").isEqualTo(1);
        }
    }

    @Test
    void anAnswerThatEndsWithItsConnectionIsReadToTheEndAndTheConnectionIsNotKept() throws Exception {
        Answer untilClosed = (socket, out) -> {
            write(out, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nall of it");
            socket.close();
        };
        try (Scripted upstream = new Scripted(untilClosed)) {
            assertThat(text(post(upstream.uri()).body())).isEqualTo("all of it");
            assertThat(text(post(upstream.uri()).body())).isEqualTo("all of it");
            assertThat(upstream.connections.get()).isEqualTo(2);
        }
    }

    @Test
    void aKeptConnectionTheUpstreamClosedIsReplacedAndTheCallReachesItOnce() throws Exception {
        // An upstream that closes idle connections without saying so in its answer.
        Answer thenClose = (socket, out) -> {
            write(out, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            Thread.sleep(100);
            socket.close();
        };
        try (Scripted upstream = new Scripted(thenClose)) {
            assertThat(text(post(upstream.uri()).body())).isEqualTo("ok");
            Thread.sleep(300);
            assertThat(text(post(upstream.uri()).body())).isEqualTo("ok");
            assertThat(upstream.connections.get()).isEqualTo(2);
            assertThat(upstream.requests).as("the second call sent once, on the new connection").hasSize(2);
        }
    }

    @Test
    void anUpstreamSilentPastTheFirstByteTimeIsATimeoutNotAWaitWithoutEnd() throws Exception {
        Answer silent = (socket, out) -> Thread.sleep(10_000);
        try (Scripted upstream = new Scripted(silent)) {
            timesOut(upstream, Duration.ofMillis(300), Duration.ofSeconds(3));
        }
    }

    @Test
    void headersTrickledAHeaderAtATimeMustAllArriveWithinTheFirstByteTime() throws Exception {
        Answer trickle = (socket, out) -> {
            write(out, "HTTP/1.1 200 OK\r\n");
            for (int i = 0; i < 100; i++) {
                Thread.sleep(100);
                write(out, "X-Header-" + i + ": still coming\r\n");
            }
        };
        Answer interimForever = (socket, out) -> {
            for (int i = 0; i < 100; i++) {
                write(out, "HTTP/1.1 100 Continue\r\n\r\n");
            }
        };
        try (Scripted upstream = new Scripted(trickle)) {
            timesOut(upstream, Duration.ofMillis(400), Duration.ofSeconds(2));
        }
        try (Scripted upstream = new Scripted(interimForever)) {
            assertThatThrownBy(() -> post(upstream.uri())).isInstanceOf(IOException.class)
                    .hasMessageContaining("interim");
        }
    }

    @Test
    void anAnswerTrickledAByteAtATimeMustStillArriveWithinItsTime() throws Exception {
        Answer trickle = (socket, out) -> {
            for (byte b : "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII)) {
                Thread.sleep(100);
                out.write(b);
                out.flush();
            }
        };
        try (Scripted upstream = new Scripted(trickle)) {
            timesOut(upstream, Duration.ofMillis(400), Duration.ofSeconds(2));
        }
    }

    @Test
    void aRequestTheUpstreamStopsReadingIsGivenUpAtTheFirstByteTime() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        try (ServerSocket deaf = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try (Socket socket = deaf.accept()) {
                    done.await(10, TimeUnit.SECONDS);
                } catch (Exception ignored) {
                    // The test is over.
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            long started = System.nanoTime();
            assertThatThrownBy(() -> http.post(URI.create("http://127.0.0.1:" + deaf.getLocalPort() + "/v1"), ORG_A, Map.of(),
                    new byte[64 * 1024 * 1024], 1000, Duration.ofMillis(500))).isInstanceOf(IOException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
            done.countDown();
        }
    }

    @Test
    void aConnectionWhoseAnswerSaidMoreThanItsFramingIsNotKept() throws Exception {
        List<String> answers = List.of(
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA",
                "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nforged",
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
                "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nConnection: Close\r\nContent-Length: 2\r\n\r\nok");
        for (String answer : answers) {
            try (Scripted upstream = new Scripted((socket, out) -> write(out, answer))) {
                UpstreamHttp.Answer first = post(upstream.uri());
                first.body().readAll(() -> WAIT, 1024);
                Thread.sleep(50);
                assertThat(post(upstream.uri()).status()).isIn(200, 204);
                assertThat(upstream.connections.get()).as(answer.substring(0, 30)).isEqualTo(2);
            }
        }
    }

    @Test
    void aBodyThatStallsIsStalledAndOneCutShortOfItsLengthIsAnError() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        Answer stalls = (socket, out) -> {
            write(out, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf.");
            done.await(5, TimeUnit.SECONDS);
        };
        try (Scripted upstream = new Scripted(stalls)) {
            UpstreamBody body = post(upstream.uri()).body();
            assertThat(new String(body.next(WAIT), StandardCharsets.UTF_8)).isEqualTo("half.");
            assertThatThrownBy(() -> body.next(Duration.ofMillis(200))).isInstanceOf(UpstreamBody.Stalled.class);
            done.countDown();
        }
        Answer cut = (socket, out) -> {
            write(out, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf.");
            socket.close();
        };
        try (Scripted upstream = new Scripted(cut)) {
            UpstreamBody body = post(upstream.uri()).body();
            assertThatThrownBy(() -> text(body)).isInstanceOf(EOFException.class);
        }
        Answer cutInChunk = (socket, out) -> {
            write(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nnot sixteen");
            socket.close();
        };
        try (Scripted upstream = new Scripted(cutInChunk)) {
            assertThatThrownBy(() -> text(post(upstream.uri()).body())).isInstanceOf(EOFException.class);
        }
    }

    @Test
    void answersThatCannotBeFramedWithCertaintyAreErrorsNotGuesses() throws Exception {
        List<String> malformed = List.of(
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc",
                "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
                "HTTP/1.1 200 OK\r\nX-Long: " + "a".repeat(70_000) + "\r\n\r\n",
                "HTTP/1.1 2OO OK\r\n\r\n",
                "SSH-2.0-OpenSSH_9.2\r\n\r\n",
                "HTTP/1.1 200 OK\r\n folded: header\r\n\r\n");
        for (String answer : malformed) {
            try (Scripted upstream = new Scripted((socket, out) -> write(out, answer))) {
                assertThatThrownBy(() -> post(upstream.uri())).as(answer.substring(0, Math.min(40, answer.length())))
                        .isInstanceOf(IOException.class);
            }
        }
        for (String chunkSize : List.of("zz", "ffffffffffffffffff", "", "-1", "+a")) {
            Answer badChunk = (socket, out) -> write(out, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + chunkSize + "\r\nabc\r\n0\r\n\r\n");
            try (Scripted upstream = new Scripted(badChunk)) {
                UpstreamBody body = post(upstream.uri()).body();
                assertThatThrownBy(() -> body.next(WAIT)).as(chunkSize).isInstanceOf(IOException.class);
            }
        }
    }

    @Test
    void interimAnswersAreSkippedAndAnswersWithoutBodiesEndAtOnce() throws Exception {
        Answer interim = (socket, out) -> write(out, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n"
                + "Content-Length: 0\r\n\r\n");
        try (Scripted upstream = new Scripted(interim)) {
            UpstreamHttp.Answer answer = post(upstream.uri());
            assertThat(answer.status()).isEqualTo(204);
            assertThat(answer.body().next(WAIT)).isNull();
        }
    }

    @Test
    void aPortNobodyListensOnIsUnreachable() throws Exception {
        int port;
        try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = gone.getLocalPort();
        }
        assertThatThrownBy(() -> post(URI.create("http://127.0.0.1:" + port + "/v1")))
                .isInstanceOf(UpstreamHttp.Unreachable.class);
    }

    @Test
    void tlsReachesAnUpstreamByTheNameOnItsCertificateAndNoOtherName(@TempDir Path dir) throws Exception {
        Path store = dir.resolve("upstream.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "upstream", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost", "-validity", "2", "-keystore",
                store.toString(), "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        String said = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(keytool.waitFor()).as(said).isZero();
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, "changeit".toCharArray());
        SSLContext serverSide = SSLContext.getInstance("TLS");
        serverSide.init(keyManagers.getKeyManagers(), null, null);
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("upstream", keys.getCertificate("upstream"));
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext clientSide = SSLContext.getInstance("TLS");
        clientSide.init(null, trust.getTrustManagers(), null);
        UpstreamHttp secure = new UpstreamHttp(clientSide.getSocketFactory());

        ServerSocket server = serverSide.getServerSocketFactory().createServerSocket(0, 50,
                InetAddress.getLoopbackAddress());
        try (Scripted upstream = new Scripted(server, whole("secret answer"))) {
            UpstreamHttp.Answer answer = secure.post(upstream.uri("https", "localhost"), ORG_A, Map.of(), new byte[0], 2000,
                    WAIT);
            assertThat(text(answer.body())).isEqualTo("secret answer");
            assertThat(upstream.requests.get(0)).contains("Host: localhost:" + server.getLocalPort() + "\n");
            assertThatThrownBy(() -> secure.post(upstream.uri("https", "127.0.0.1"), ORG_A, Map.of(), new byte[0], 2000,
                    WAIT)).as("the certificate names localhost, not the address")
                    .isInstanceOf(SSLHandshakeException.class);
            assertThatThrownBy(() -> http.post(upstream.uri("https", "localhost"), ORG_A, Map.of(), new byte[0], 2000, WAIT))
                    .as("a certificate nobody trusts").isInstanceOf(SSLHandshakeException.class);
            secure.closeIdle();
        }
        ServerSocket lateServer = serverSide.getServerSocketFactory().createServerSocket(0, 50,
                InetAddress.getLoopbackAddress());
        CountDownLatch late = new CountDownLatch(1);
        try (Scripted upstream = new Scripted(lateServer, thenLate("{\"n\":1}", "{\"leaked\":\"elsewhere\"}", late), whole("{\"n\":2}"))) {
            lateAnswerReachesNoCall(secure, upstream, upstream.uri("https", "localhost"), late);
            secure.closeIdle();
        }
    }

    /** An answer, then {@code late} unasked, a moment later on the idle connection ({@code sent} counted down then). */
    static Answer thenLate(String body, String late, CountDownLatch sent) {
        return (socket, out) -> {
            whole(body).write(socket, out);
            out.flush();
            Thread.sleep(100);
            whole(late).write(socket, out);
            out.flush();
            sent.countDown();
        };
    }

    /**
     * An upstream that answers twice to one call (its second answer a moment late, on the idle
     * connection) gets no call's answer from it: the connection is not taken again, whoever calls next.
     */
    void lateAnswerReachesNoCall(UpstreamHttp client, Scripted upstream, URI uri, CountDownLatch late)
            throws Exception {
        assertThat(text(client.post(uri, ORG_A, Map.of(), new byte[0], 2000, WAIT).body())).isEqualTo("{\"n\":1}");
        assertThat(late.await(5, TimeUnit.SECONDS)).isTrue();
        // Written: a moment more and it waits, unread, on the idle connection.
        Thread.sleep(50);

        assertThat(text(client.post(uri, ORG_A, Map.of(), new byte[0], 2000, WAIT).body())).isEqualTo("{\"n\":2}");
        assertThat(upstream.connections.get()).as("a new connection for the second call").isEqualTo(2);
    }

    @Test
    void aLateSecondAnswerOnAnIdleConnectionReachesNoCall() throws Exception {
        CountDownLatch late = new CountDownLatch(1);
        try (Scripted upstream = new Scripted(thenLate("{\"n\":1}", "{\"leaked\":\"elsewhere\"}", late), whole("{\"n\":2}"))) {
            lateAnswerReachesNoCall(http, upstream, upstream.uri(), late);
        }
    }

    /** Connections are kept per owner: what one organization's calls leave on one can reach only its own. */
    @Test
    void noConnectionCarriesTwoOwnersCalls() throws Exception {
        try (Scripted upstream = new Scripted(whole("{}"))) {
            text(post(upstream.uri(), ORG_A).body());
            text(post(upstream.uri(), ORG_B).body());
            text(post(upstream.uri(), ORG_A).body());
            text(post(upstream.uri(), ORG_B).body());

            assertThat(upstream.connections.get()).as("one kept for each organization").isEqualTo(2);
            assertThat(upstream.requests).hasSize(4);
        }
    }

    @Test
    void aHeaderValueThatWouldEndItsLineIsNotSendable() {
        assertThat(UpstreamHttp.sendable("Bearer sk-abc\tdef")).isTrue();
        assertThat(UpstreamHttp.sendable("sk-abc\r\nX-Injected: yes")).isFalse();
        assertThat(UpstreamHttp.sendable("sk-abc\n")).isFalse();
        assertThat(UpstreamHttp.sendable("sk-é")).isFalse();
    }
}

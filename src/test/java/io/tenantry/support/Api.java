package io.tenantry.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A small HTTP client for the API under test: real requests through every filter. Each
 * instance is a client of its own address: the test servers trust 127.0.0.1 as a proxy
 * (see TestDatabase), and every request says {@code X-Forwarded-For: <this address>}, so
 * that one test class's failed sign-ins never throttle another's.
 */
public final class Api {

    /** Reads decimals as BigDecimal, so money arrives exactly as the server wrote it. */
    public static final JsonMapper JSON = JsonMapper.builder()
            .enable(tools.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;
    private final String clientAddress;
    private final java.util.function.Consumer<String> sent;

    public Api(int port) {
        this(port, randomAddress(), request -> { });
    }

    private Api(int port, String clientAddress, java.util.function.Consumer<String> sent) {
        this.base = "http://127.0.0.1:" + port;
        this.clientAddress = clientAddress;
        this.sent = sent;
    }

    private int port() {
        return Integer.parseInt(base.substring(base.lastIndexOf(':') + 1));
    }

    /** The same server, reached by a client of another address. */
    public Api from(String address) {
        return new Api(port(), address, sent);
    }

    /** The same client, telling {@code sent} of every request ("METHOD /path?query") it sends. */
    public Api recording(java.util.function.Consumer<String> sent) {
        return new Api(port(), clientAddress, sent);
    }

    public String clientAddress() {
        return clientAddress;
    }

    /** An address from 10.0.0.0/8, different for every Api made. */
    private static String randomAddress() {
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        return "10." + random.nextInt(256) + "." + random.nextInt(256) + "." + (1 + random.nextInt(254));
    }

    public Call get(String path) {
        return new Call("GET", path);
    }

    public Call post(String path) {
        return new Call("POST", path);
    }

    public Call patch(String path) {
        return new Call("PATCH", path);
    }

    public Call put(String path) {
        return new Call("PUT", path);
    }

    public Call delete(String path) {
        return new Call("DELETE", path);
    }

    public Call call(String method, String path) {
        return new Call(method, path);
    }

    public final class Call {
        private final String method;
        private final String path;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private String body;
        private byte[] bytes;

        private Call(String method, String path) {
            this.method = method;
            this.path = path;
        }

        /** Authenticates with a session token or agent key; null sends no credential. */
        public Call as(String token) {
            if (token != null) {
                headers.put("Authorization", "Bearer " + token);
            }
            return this;
        }

        public Call org(Object orgId) {
            headers.put("X-Org-Id", String.valueOf(orgId));
            return this;
        }

        public Call header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        public Call json(Object value) {
            this.body = JSON.writeValueAsString(value);
            return this;
        }

        public Call raw(String value) {
            this.body = value;
            return this;
        }

        /** A body of these bytes, declared as {@code contentType}. */
        public Call raw(byte[] value, String contentType) {
            this.bytes = value;
            headers.put("Content-Type", contentType);
            return this;
        }

        /** A multipart/form-data body: {@code fields} as text parts, and a part "file" holding {@code content}. */
        public Call file(String fileName, byte[] content, Map<String, String> fields) {
            String boundary = "tenantry-" + java.util.UUID.randomUUID();
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            java.nio.charset.Charset utf8 = java.nio.charset.StandardCharsets.UTF_8;
            fields.forEach((name, value) -> out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\""
                    + name + "\"\r\n\r\n" + value + "\r\n").getBytes(utf8)));
            if (content != null) {
                out.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\""
                        + fileName + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(utf8));
                out.writeBytes(content);
                out.writeBytes("\r\n".getBytes(utf8));
            }
            out.writeBytes(("--" + boundary + "--\r\n").getBytes(utf8));
            this.bytes = out.toByteArray();
            headers.put("Content-Type", "multipart/form-data; boundary=" + boundary);
            return this;
        }

        public Response send() {
            sent.accept(method + " " + path);
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(Duration.ofSeconds(30))
                    .method(method, bytes != null ? HttpRequest.BodyPublishers.ofByteArray(bytes)
                            : body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body));
            if (body != null && headers.keySet().stream().noneMatch("Content-Type"::equalsIgnoreCase)) {
                request.header("Content-Type", "application/json");
            }
            if (!headers.containsKey("X-Forwarded-For")) {
                request.header("X-Forwarded-For", clientAddress);
            }
            headers.forEach(request::header);
            try {
                HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
                return new Response(method + " " + path, response.statusCode(), response.body(),
                        response.headers().map());
            } catch (IOException e) {
                throw new IllegalStateException(method + " " + path + " failed", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    public record Response(String request, int status, String body, Map<String, List<String>> headers) {

        public JsonNode json() {
            return body == null || body.isEmpty() ? JSON.nullNode() : JSON.readTree(body);
        }

        public String text(String field) {
            return json().path(field).asString();
        }

        public String id() {
            return text("id");
        }

        public List<JsonNode> items() {
            List<JsonNode> items = new ArrayList<>();
            json().path("items").forEach(items::add);
            return items;
        }

        public List<String> itemIds() {
            return items().stream().map(item -> item.path("id").asString()).toList();
        }

        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream()).findFirst().orElse(null);
        }

        public List<String> headerValues(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream()).toList();
        }

        /** The Set-Cookie header that sets {@code name}, or null. */
        public String cookie(String name) {
            return headerValues("Set-Cookie").stream().filter(c -> c.startsWith(name + "=")).findFirst().orElse(null);
        }

        /** Fails with the request and the whole answer when the status is not the expected one. */
        public Response expect(int expected) {
            if (status != expected) {
                throw new AssertionError(request + ": expected " + expected + " but got " + status + ": " + body);
            }
            return this;
        }

        @Override
        public String toString() {
            return request + " -> " + status + " " + body;
        }
    }
}

package io.tenantry.security;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.springframework.core.io.ClassPathResource;

/**
 * The Content-Security-Policy of the dashboard's pages: scripts only from the server, never
 * inline, with one exception the browser needs: the import map in index.html, which must be
 * inline. It is allowed by its SHA-256 hash, computed here from the file the server serves,
 * so changing the import map cannot silently break or widen the policy.
 */
final class PagePolicy {

    private static final Pattern IMPORT_MAP = Pattern.compile(
            "<script type=\"importmap\">(.*?)</script>", Pattern.DOTALL);

    private PagePolicy() {
    }

    static String forIndex(String indexPath) {
        String scripts = importMapHash(indexPath).map(hash -> "'self' 'sha256-" + hash + "'").orElse("'self'");
        return "default-src 'self'; script-src " + scripts + "; style-src 'self'; img-src 'self' data:; "
                + "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; "
                + "form-action 'self'";
    }

    static Optional<String> importMapHash(String indexPath) {
        ClassPathResource index = new ClassPathResource(indexPath);
        if (!index.exists()) {
            return Optional.empty();
        }
        try (InputStream in = index.getInputStream()) {
            Matcher map = IMPORT_MAP.matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            if (!map.find()) {
                return Optional.empty();
            }
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(map.group(1).getBytes(StandardCharsets.UTF_8));
            return Optional.of(Base64.getEncoder().encodeToString(digest));
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot read the dashboard's index.html", e);
        }
    }
}

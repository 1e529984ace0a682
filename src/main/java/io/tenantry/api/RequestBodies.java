package io.tenantry.api;

import java.io.IOException;

import jakarta.servlet.http.HttpServletRequest;

/**
 * A request's whole body, read by hand (ReadsItsBody, BodyOnlyWhereTaken): one past the size
 * limit is a 413, one that takes too long to arrive a 408 (RequestBodyLimits), one that is
 * not text in its charset a 400 (UndecodableBody).
 */
public final class RequestBodies {

    private RequestBodies() {
    }

    public static byte[] readAll(HttpServletRequest request) throws IOException {
        try {
            return request.getInputStream().readAllBytes();
        } catch (RequestBodyLimits.BodyTooLarge tooLarge) {
            throw ApiException.tooLarge(null, tooLarge.getMessage());
        } catch (RequestBodyLimits.BodyTooSlow tooSlow) {
            throw ApiException.requestTimeout(tooSlow.getMessage());
        } catch (UndecodableBody undecodable) {
            throw ApiException.badRequest(null, undecodable.getMessage());
        }
    }
}

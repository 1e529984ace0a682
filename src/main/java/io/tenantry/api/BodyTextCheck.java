package io.tenantry.api;

/** A check of a request body's bytes as text, fed as they stream in (RequestBodyLimits). */
interface BodyTextCheck {

    void accept(byte[] bytes, int from, int length) throws UndecodableBody;

    default void accept(int b) throws UndecodableBody {
        accept(new byte[] {(byte) b}, 0, 1);
    }

    /** The body ended: what is still owed by a cut-off sequence is an error too. */
    void end() throws UndecodableBody;
}

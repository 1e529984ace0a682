package io.tenantry.api;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;

/**
 * Checks a body declared in a charset other than Unicode's (windows-1252, Shift_JIS, EBCDIC)
 * as it streams past: its decoder, left to itself, turns bytes the charset does not define into
 * U+FFFD, which would be stored as if sent. Here such a byte refuses the body whole.
 */
final class DeclaredCharsetCheck implements BodyTextCheck {

    private final Charset charset;
    private final CharsetDecoder decoder;
    /** Chars decoded are only counted, not kept. */
    private final CharBuffer discarded = CharBuffer.allocate(4096);
    /** The start of a sequence the last bytes cut off, waiting for its end. */
    private ByteBuffer carried = ByteBuffer.allocate(0);

    DeclaredCharsetCheck(Charset charset) {
        this.charset = charset;
        this.decoder = charset.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    @Override
    public void accept(byte[] bytes, int from, int length) throws UndecodableBody {
        ByteBuffer in;
        if (carried.hasRemaining()) {
            in = ByteBuffer.allocate(carried.remaining() + length).put(carried).put(bytes, from, length).flip();
        } else {
            in = ByteBuffer.wrap(bytes, from, length);
        }
        decode(in, false);
        carried = in.hasRemaining() ? ByteBuffer.allocate(in.remaining()).put(in).flip() : ByteBuffer.allocate(0);
    }

    @Override
    public void end() throws UndecodableBody {
        decode(carried, true);
        carried = ByteBuffer.allocate(0);
        discarded.clear();
        if (decoder.flush(discarded).isError()) {
            throw refused();
        }
    }

    private void decode(ByteBuffer in, boolean last) throws UndecodableBody {
        while (true) {
            CoderResult result = decoder.decode(in, discarded, last);
            discarded.clear();
            if (result.isError()) {
                throw refused();
            }
            if (result.isUnderflow()) {
                return;
            }
        }
    }

    private UndecodableBody refused() {
        return new UndecodableBody("The request body is not valid " + charset.name() + ", the charset its "
                + "Content-Type names: send it in that charset, or as UTF-8.");
    }
}

package dev.creditledger.ledger;

import dev.creditledger.problem.CreditException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Opaque page cursors: clients pass them back unchanged and never parse them. */
public final class Cursors {

    private static final String PREFIX = "e:";

    private Cursors() {
    }

    public static String after(long entryId) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((PREFIX + entryId).getBytes(StandardCharsets.US_ASCII));
    }

    /** The entry id a cursor stands for; null for no cursor; 400 for one this service did not make. */
    public static Long entryId(String cursor) {
        if (cursor == null) {
            return null;
        }
        try {
            String text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
            if (text.startsWith(PREFIX)) {
                long id = Long.parseLong(text.substring(PREFIX.length()));
                if (id > 0) {
                    return id;
                }
            }
        } catch (IllegalArgumentException e) {
            // falls through to the refusal below
        }
        throw CreditException.invalid("cursor", "is not a cursor from this service");
    }
}

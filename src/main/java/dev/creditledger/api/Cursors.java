package dev.creditledger.api;

import dev.creditledger.problem.CreditException;
import dev.creditledger.problem.QueryParams;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Paging newest first: opaque cursors (clients pass them back unchanged and never parse them) and
 * the page-size rule every paged endpoint shares.
 */
public final class Cursors {

    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 200;
    private static final String PREFIX = "e:";

    /** One page: a caller fetches {@code limit + 1} rows, so a row beyond the page means there is more. */
    public record Slice<T>(List<T> items, String nextCursor) {

        public static <T> Slice<T> of(List<T> fetched, int limit, ToLongFunction<T> id) {
            if (fetched.size() <= limit) {
                return new Slice<>(fetched, null);
            }
            List<T> shown = List.copyOf(fetched.subList(0, limit));
            return new Slice<>(shown, after(id.applyAsLong(shown.get(limit - 1))));
        }
    }

    private Cursors() {
    }

    /** The {@code limit} query parameter: 1 to {@link #MAX_LIMIT}, {@link #DEFAULT_LIMIT} when absent. */
    public static int limit(String value) {
        return QueryParams.intInRange("limit", value, DEFAULT_LIMIT, 1, MAX_LIMIT);
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

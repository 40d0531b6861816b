package dev.creditledger.idempotency;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.creditledger.problem.CreditException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A client's {@code Idempotency-Key} with the fingerprint of the request it came with: the
 * operation, the account and the request body as the service understood it (so white space and
 * field order do not matter, but any different value does).
 */
public record IdempotencyKey(String value, String fingerprint) {

    public static final String HEADER = "Idempotency-Key";
    public static final int MAX_LENGTH = 255;
    /** 1 to {@link #MAX_LENGTH} printable ASCII characters, not only spaces. */
    public static final String PATTERN = "^(?! +$)[\\x20-\\x7E]{1," + MAX_LENGTH + "}$";
    private static final Pattern PRINTABLE_ASCII = Pattern.compile(PATTERN);

    /** Null when the header is absent; a 400 naming the header when it is ill-formed. */
    public static IdempotencyKey of(String header, String operation, String userId, Object request, ObjectMapper mapper) {
        if (header == null) {
            return null;
        }
        if (!PRINTABLE_ASCII.matcher(header).matches()) {
            throw CreditException.invalid(HEADER, "must be 1 to 255 printable ASCII characters");
        }
        try {
            String canonical = operation + "\n" + userId + "\n" + mapper.writeValueAsString(request);
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            return new IdempotencyKey(header, HexFormat.of().formatHex(digest));
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("cannot fingerprint request", e);
        }
    }
}

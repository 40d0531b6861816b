package dev.creditledger.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import jakarta.ws.rs.core.Response;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** Turns Jackson's parse and binding errors into problems that name the field in the client's terms. */
final class JsonProblems {

    private static final Pattern SOURCE_NOTE = Pattern.compile("\\s*\\(start marker at \\[Source:[^\\]]*\\]\\)|\\s*at \\[Source:[^\\]]*\\]");
    private static final Pattern DUPLICATE_FIELD = Pattern.compile("^Duplicate field '(.*)'");
    private static final Set<Class<?>> WHOLE_NUMBERS = Set.of(Long.class, long.class, Integer.class, int.class, Short.class,
            short.class, BigInteger.class);
    private static final Set<Class<?>> NUMBERS = Set.of(BigDecimal.class, Double.class, double.class, Float.class, float.class);

    private JsonProblems() {
    }

    static Response of(JsonProcessingException e, String path) {
        if (e instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
            String field = mapping.getPath().stream()
                    .map(ref -> ref.getFieldName() != null ? ref.getFieldName() : "[" + ref.getIndex() + "]")
                    .collect(Collectors.joining("."))
                    .replace(".[", "[");
            String message = e instanceof UnrecognizedPropertyException ? "unknown field" : describe(mapping);
            return Problem.invalid(List.of(new CreditException.FieldError(field, message)), path);
        }
        String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        Matcher duplicate = DUPLICATE_FIELD.matcher(original);
        if (duplicate.find()) {
            return Problem.invalid(List.of(new CreditException.FieldError(duplicate.group(1), "appears more than once")), path);
        }
        if (e instanceof MismatchedInputException) {
            // Valid JSON of the wrong shape: an array, a string or a number where an object belongs,
            // or a second value after the first.
            String detail = original.startsWith("Trailing token")
                    ? "The body must be one JSON object, with nothing after it"
                    : "The body must be a JSON object";
            return Problem.of(ErrorCode.MALFORMED_JSON, detail, path);
        }
        // Jackson's location note ("[Source: REDACTED ...; line: 1, column: 1]") says nothing to a client.
        String reason = SOURCE_NOTE.matcher(original).replaceAll("");
        return Problem.of(ErrorCode.MALFORMED_JSON, "The body is not valid JSON: " + reason, path);
    }

    /** What a value of the wrong kind should have been, in the client's terms (never a Java type). */
    private static String describe(JsonMappingException e) {
        String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        Class<?> target = e instanceof MismatchedInputException mismatch ? mismatch.getTargetType() : null;
        if (target == Instant.class) {
            return message.contains("out of range") ? "must be a date-time from year 0001 to 9999"
                    : "must be a date-time such as 2027-01-31T00:00:00Z";
        }
        if (message.contains("out of range")) {
            return "number out of range";
        }
        if (target != null && target.isEnum()) {
            return "must be one of " + Arrays.stream(target.getEnumConstants()).map(Object::toString).collect(Collectors.joining(", "));
        }
        if (target != null && WHOLE_NUMBERS.contains(target)) {
            return "must be a whole number";
        }
        if (target != null && NUMBERS.contains(target)) {
            return "must be a number";
        }
        if (target == String.class) {
            return "must be a string";
        }
        if (message.contains("Cannot coerce") || message.contains("Cannot deserialize")) {
            return "wrong type";
        }
        return "invalid value";
    }
}

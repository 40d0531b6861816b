package dev.creditledger.api;

import dev.creditledger.problem.CreditException;
import java.util.regex.Pattern;

/** The app's own user id: 1 to 128 characters of {@code [A-Za-z0-9._:@-]}, but not "." or "..". */
public final class UserIds {

    public static final int MAX_LENGTH = 128;
    public static final String PATTERN = "^(?!\\.\\.?$)[A-Za-z0-9._:@-]{1," + MAX_LENGTH + "}$";
    public static final String RULE = "must be 1 to " + MAX_LENGTH + " characters of A-Z a-z 0-9 . _ : @ -, and not . or ..";
    private static final Pattern VALID = Pattern.compile(PATTERN);

    private UserIds() {
    }

    public static boolean isValid(String userId) {
        return userId != null && VALID.matcher(userId).matches();
    }

    public static String checked(String userId) {
        if (!isValid(userId)) {
            throw CreditException.invalid("userId", RULE);
        }
        return userId;
    }
}

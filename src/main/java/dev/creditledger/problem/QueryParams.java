package dev.creditledger.problem;

/** Query parameters read strictly, so a typo is a 400 naming the parameter rather than a silent default. */
public final class QueryParams {

    private QueryParams() {
    }

    public static boolean bool(String name, String value) {
        if (value == null || value.equals("false")) {
            return false;
        }
        if (value.equals("true")) {
            return true;
        }
        throw CreditException.invalid(name, "must be true or false");
    }

    public static int intInRange(String name, String value, int fallback, int min, int max) {
        if (value == null) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value);
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // falls through to the refusal below
        }
        throw CreditException.invalid(name, "must be a whole number from " + min + " to " + max);
    }
}

package dev.creditledger.domain;

/**
 * Carries a {@link Refusal} out of the transaction it was decided in; being thrown, it rolls that
 * transaction back, so a refused request changes nothing (docs/design.md, invariant I6).
 */
public final class RefusedException extends RuntimeException {

    private final Refusal refusal;

    public RefusedException(Refusal refusal) {
        super(refusal.toString(), null, false, false);
        this.refusal = refusal;
    }

    public Refusal refusal() {
        return refusal;
    }

    /** The refusal {@code failure} carries, itself or as a cause (a transaction may wrap it); null when none. */
    public static Refusal in(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof RefusedException refused) {
                return refused.refusal;
            }
        }
        return null;
    }
}

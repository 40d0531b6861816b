package dev.creditledger.domain;

/** Who a ledger entry names as its actor. */
public final class Actors {

    /** A request to the API. */
    public static final String API = "api";
    /** The maintenance scheduler. */
    public static final String SCHEDULER = "scheduler";

    private Actors() {
    }
}

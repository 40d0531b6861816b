package dev.creditledger.domain;

/** Where a reservation stands. Only {@code open} holds credits; every other status is final. */
public enum ReservationStatus {
    open, settled, released, expired
}

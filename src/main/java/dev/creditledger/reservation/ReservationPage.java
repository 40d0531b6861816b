package dev.creditledger.reservation;

import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** One page of reservations, newest first. */
@Schema(name = "ReservationPage")
public record ReservationPage(
        List<ReservationView> reservations,
        @Schema(description = "Pass as `cursor` for the next (older) page; null on the last page", nullable = true) String nextCursor) {
}

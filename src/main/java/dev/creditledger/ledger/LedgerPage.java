package dev.creditledger.ledger;

import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** One page of ledger entries, newest first. */
@Schema(name = "LedgerPage")
public record LedgerPage(
        List<LedgerEntryView> entries,
        @Schema(description = "Pass as `cursor` for the next (older) page; null on the last page", nullable = true) String nextCursor) {
}

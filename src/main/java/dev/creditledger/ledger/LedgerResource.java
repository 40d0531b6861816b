package dev.creditledger.ledger;

import dev.creditledger.api.Cursors;
import dev.creditledger.api.UserIds;
import dev.creditledger.security.Allowed;
import dev.creditledger.security.Scope;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/v1/accounts/{userId}/ledger")
@Tag(name = "Ledger")
@Produces(MediaType.APPLICATION_JSON)
public class LedgerResource {

    public static final String LEDGER_EXAMPLE = """
            {"entries":[{"entryId":7,"kind":"consume","amountTokens":-2000,"amountCredits":-1,"balanceAfterTokens":8000,
             "balanceAfterCredits":4,"feature":"code_generation","tokens":null,"grants":[{"grantId":1,"amount":2000}],
             "idempotencyKey":"req-81f2","actor":"api","reason":null,"createdAt":"2026-11-24T10:05:00Z",
             "reservationId":null,"heldChangeTokens":0}],
             "nextCursor":"ZTo3"}""";

    private final LedgerService service;

    public LedgerResource(LedgerService service) {
        this.service = service;
    }

    @Allowed({Scope.read})
    @GET
    @Operation(operationId = "listLedger", summary = "The account's ledger, newest first", description = "Every balance change with the grants it touched.")
    @APIResponse(responseCode = "200", description = "One page", content = @Content(schema = @Schema(implementation = LedgerPage.class),
            examples = @ExampleObject(name = "page", value = LEDGER_EXAMPLE)))
    @APIResponse(responseCode = "400", ref = "InvalidRequest")
    @APIResponse(responseCode = "404", ref = "AccountNotFound")
    public Uni<LedgerPage> ledger(@PathParam("userId") String userId,
                                  @QueryParam("limit") String limit,
                                  @QueryParam("cursor") String cursor) {
        UserIds.checked(userId);
        return service.page(userId, Cursors.limit(limit), cursor);
    }
}

package dev.creditledger.me;

import dev.creditledger.domain.ReservationStatus;

import dev.creditledger.account.AccountResource;
import dev.creditledger.account.AccountService;
import dev.creditledger.account.AccountView;
import dev.creditledger.api.Cursors;
import dev.creditledger.ledger.LedgerPage;
import dev.creditledger.ledger.LedgerResource;
import dev.creditledger.ledger.LedgerService;
import dev.creditledger.reservation.ReservationPage;
import dev.creditledger.reservation.ReservationResource;
import dev.creditledger.reservation.ReservationService;
import dev.creditledger.security.AuthFilter;
import dev.creditledger.security.EndUser;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * What a browser frontend reads with its user's own token: the account, the ledger and the
 * reservations of the token's subject, and nothing else. No path or query names a user here, so there is no id to
 * guess. Read-only: accounts are opened by the app's backend.
 */
@Path("/v1/me")
@Tag(name = "End user")
@Produces(MediaType.APPLICATION_JSON)
@EndUser
@SecurityRequirement(name = "endUserToken")
public class MeResource {

    private final AccountService accounts;
    private final LedgerService ledger;
    private final ReservationService reservations;

    public MeResource(AccountService accounts, LedgerService ledger, ReservationService reservations) {
        this.accounts = accounts;
        this.ledger = ledger;
        this.reservations = reservations;
    }

    @GET
    @Operation(operationId = "getMe", summary = "The signed-in user's usage status",
            description = "The same view as GET /v1/accounts/{userId}, for the subject of the end-user token: what a frontend "
                    + "shows as \"5 Credits • 10,000 Tokens\". 404 until the app's backend has opened the account.")
    @APIResponse(responseCode = "200", description = "The user's account", content = @Content(schema = @Schema(implementation = AccountView.class),
            examples = @ExampleObject(name = "free", value = AccountResource.ACCOUNT_EXAMPLE)))
    @APIResponse(responseCode = "404", ref = "MyAccountNotFound")
    public Uni<AccountView> me(@Context RoutingContext routing) {
        return accounts.status(userId(routing));
    }

    @GET
    @Path("/ledger")
    @Operation(operationId = "listMyLedger", summary = "The signed-in user's ledger, newest first", description = "The same page as GET /v1/accounts/{userId}/ledger, "
            + "for the subject of the end-user token only (a cursor never reaches another account's entries).")
    @APIResponse(responseCode = "200", description = "One page", content = @Content(schema = @Schema(implementation = LedgerPage.class),
            examples = @ExampleObject(name = "page", value = LedgerResource.LEDGER_EXAMPLE)))
    @APIResponse(responseCode = "400", ref = "InvalidRequest")
    @APIResponse(responseCode = "404", ref = "MyAccountNotFound")
    public Uni<LedgerPage> myLedger(@Context RoutingContext routing,
                                    @QueryParam("limit") String limit,
                                    @QueryParam("cursor") String cursor) {
        return ledger.page(userId(routing), Cursors.limit(limit), cursor);
    }

    @GET
    @Path("/reservations")
    @Operation(operationId = "listMyReservations", summary = "The signed-in user's reservations, newest first", description = "The same page as "
            + "GET /v1/accounts/{userId}/reservations, for the subject of the end-user token only: what the user's in-flight "
            + "calls hold, and how earlier ones were settled.")
    @APIResponse(responseCode = "200", description = "One page", content = @Content(schema = @Schema(implementation = ReservationPage.class),
            examples = @ExampleObject(name = "page", value = ReservationResource.PAGE_EXAMPLE)))
    @APIResponse(responseCode = "400", ref = "InvalidRequest")
    @APIResponse(responseCode = "404", ref = "MyAccountNotFound")
    public Uni<ReservationPage> myReservations(@Context RoutingContext routing,
                                               @Parameter(description = "Only reservations with this status; all when absent", schema = @Schema(implementation = ReservationStatus.class)) @QueryParam("status") String status,
                                               @QueryParam("limit") String limit,
                                               @QueryParam("cursor") String cursor) {
        return reservations.page(userId(routing), ReservationResource.status(status), Cursors.limit(limit), cursor);
    }

    /** Set by {@link AuthFilter} after verifying the token; this resource is unreachable without it. */
    private static String userId(RoutingContext routing) {
        String userId = routing.get(AuthFilter.END_USER);
        if (userId == null) {
            throw new IllegalStateException("an end-user endpoint was reached without a verified token");
        }
        return userId;
    }
}

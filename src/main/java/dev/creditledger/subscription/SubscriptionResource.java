package dev.creditledger.subscription;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.creditledger.account.AccountView;
import dev.creditledger.api.Answer;
import dev.creditledger.api.UserIds;
import dev.creditledger.idempotency.IdempotencyKey;
import dev.creditledger.problem.QueryParams;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/v1/accounts/{userId}/subscription")
@Tag(name = "Subscriptions")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class SubscriptionResource {

    /** The account after an upgrade to pro: what both subscription calls answer (the seed's test case 3). */
    static final String PRO_EXAMPLE = """
            {"userId":"user_123","credits":100,"availableTokens":200000,"balanceTokens":200000,"heldTokens":0,
             "openReservations":0,"totalTokensUsed":0,"monthlyTokensUsed":0,"periodStart":"2026-11-24T10:00:00Z",
             "monthlyResetDate":"2026-12-24T10:00:00Z","isSubscribed":true,"subscriptionTier":"pro",
             "subscriptionEndsAt":"2026-12-24T10:00:00Z","createdAt":"2026-11-24T09:00:00Z","updatedAt":"2026-11-24T10:00:00Z",
             "grants":[{"grantId":2,"source":"allowance","credits":100,"amountTokens":200000,"remainingCredits":100,
             "remainingTokens":200000,"priority":100,"effectiveAt":"2026-11-24T10:00:00Z",
             "expiresAt":"2026-12-24T10:00:00Z","reason":"pro allowance"}]}""";

    private final SubscriptionService service;
    private final ObjectMapper mapper;

    public SubscriptionResource(SubscriptionService service, ObjectMapper mapper) {
        this.service = service;
        this.mapper = mapper;
    }

    @PUT
    @Operation(operationId = "changeSubscription", summary = "Upgrade, change or renew a subscription",
            description = "A new tier starts a new period now with that tier's full allowance (the old allowance's rest expires). "
                    + "The same active tier with `days` extends from the current end (renewal).")
    @RequestBody(content = @Content(examples = {
            @ExampleObject(name = "days", value = "{\"tier\":\"pro\",\"days\":30}"),
            @ExampleObject(name = "endsAt", value = "{\"tier\":\"pro\",\"endsAt\":\"2027-01-01T00:00:00Z\"}")}))
    @APIResponse(responseCode = "200", description = "The account after the change",
            headers = @Header(name = Answer.REPLAYED_HEADER, ref = "IdempotentReplayed"),
            content = @Content(schema = @Schema(implementation = AccountView.class), examples = @ExampleObject(name = "pro", value = PRO_EXAMPLE)))
    @APIResponse(responseCode = "400", ref = "BadTierRequest")
    @APIResponse(responseCode = "404", ref = "AccountNotFound")
    @APIResponse(responseCode = "422", ref = "KeyReused")
    public Uni<Response> change(@PathParam("userId") String userId,
                                @HeaderParam(IdempotencyKey.HEADER)
                                String idempotencyKey,
                                @NotNull @Valid SubscriptionRequest request) {
        UserIds.checked(userId);
        IdempotencyKey key = IdempotencyKey.of(idempotencyKey, "subscribe", userId, request, mapper);
        return service.change(userId, request, key).map(Answer::toResponse);
    }

    @DELETE
    @Operation(operationId = "cancelSubscription", summary = "Downgrade to the default tier",
            description = "Now (the paid allowance's rest expires, the free allowance starts a new period), or with "
                    + "`atPeriodEnd=true` at the end of the current period. A no-op on the default tier.")
    @APIResponse(responseCode = "200", description = "The account after the change",
            headers = @Header(name = Answer.REPLAYED_HEADER, ref = "IdempotentReplayed"),
            content = @Content(schema = @Schema(implementation = AccountView.class),
                    examples = @ExampleObject(name = "at period end: unchanged until then", value = PRO_EXAMPLE)))
    @APIResponse(responseCode = "400", ref = "InvalidRequest")
    @APIResponse(responseCode = "404", ref = "AccountNotFound")
    @APIResponse(responseCode = "422", ref = "KeyReused")
    public Uni<Response> cancel(@PathParam("userId") String userId,
                                @Parameter(description = "Cancel at the end of the current period instead of now", schema = @Schema(type = SchemaType.BOOLEAN, defaultValue = "false"))
                                @QueryParam("atPeriodEnd") String atPeriodEnd,
                                @HeaderParam(IdempotencyKey.HEADER) String idempotencyKey) {
        UserIds.checked(userId);
        boolean atEnd = QueryParams.bool("atPeriodEnd", atPeriodEnd);
        IdempotencyKey key = IdempotencyKey.of(idempotencyKey, "cancel", userId, Map.of("atPeriodEnd", atEnd), mapper);
        return service.cancel(userId, atEnd, key).map(Answer::toResponse);
    }
}

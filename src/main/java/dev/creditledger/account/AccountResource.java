package dev.creditledger.account;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.creditledger.api.Answer;
import dev.creditledger.api.UserIds;
import dev.creditledger.idempotency.IdempotencyKey;
import dev.creditledger.security.Allowed;
import dev.creditledger.security.Scope;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/v1/accounts/{userId}")
@Tag(name = "Accounts")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class AccountResource {

    public static final String ACCOUNT_EXAMPLE = """
            {"userId":"user_123","credits":5,"availableTokens":10000,"balanceTokens":10000,"heldTokens":0,
             "openReservations":0,"totalTokensUsed":0,"monthlyTokensUsed":0,"periodStart":"2026-11-24T10:00:00Z",
             "monthlyResetDate":"2026-12-24T10:00:00Z","isSubscribed":false,"subscriptionTier":"free",
             "subscriptionEndsAt":null,"createdAt":"2026-11-24T10:00:00Z","updatedAt":"2026-11-24T10:00:00Z",
             "grants":[{"grantId":1,"source":"allowance","credits":5,"amountTokens":10000,"remainingCredits":5,
             "remainingTokens":10000,"priority":100,"effectiveAt":"2026-11-24T10:00:00Z",
             "expiresAt":"2026-12-24T10:00:00Z","reason":"free allowance"}]}""";

    private final AccountService service;
    private final ObjectMapper mapper;

    public AccountResource(AccountService service, ObjectMapper mapper) {
        this.service = service;
        this.mapper = mapper;
    }

    @Allowed({Scope.meter})
    @PUT
    @Operation(operationId = "openAccount", summary = "Initialize an account on sign-up",
            description = "Idempotent: 201 with the new account and its tier's allowance for a period starting now, "
                    + "200 with the existing account unchanged (any due reset or expiry applied). The body is optional.")
    @APIResponse(responseCode = "201", description = "Created", headers = @Header(name = Answer.REPLAYED_HEADER, ref = "IdempotentReplayed"),
            content = @Content(schema = @Schema(implementation = AccountView.class), examples = @ExampleObject(name = "free", value = ACCOUNT_EXAMPLE)))
    @APIResponse(responseCode = "200", description = "Already existed", headers = @Header(name = Answer.REPLAYED_HEADER, ref = "IdempotentReplayed"),
            content = @Content(schema = @Schema(implementation = AccountView.class), examples = @ExampleObject(name = "free", value = ACCOUNT_EXAMPLE)))
    @RequestBody(required = false, content = @Content(examples = {
            @ExampleObject(name = "free", value = "{}"),
            @ExampleObject(name = "pro", value = "{\"tier\":\"pro\",\"subscriptionDays\":30}")}))
    @APIResponse(responseCode = "400", ref = "BadTierRequest")
    @APIResponse(responseCode = "422", ref = "KeyReused")
    public Uni<Response> open(@PathParam("userId") String userId,
                              @HeaderParam(IdempotencyKey.HEADER)
                              String idempotencyKey,
                              @Valid OpenAccountRequest request) {
        UserIds.checked(userId);
        OpenAccountRequest body = request == null ? OpenAccountRequest.EMPTY : request;
        IdempotencyKey key = IdempotencyKey.of(idempotencyKey, "open-account", userId, body, mapper);
        return service.open(userId, body, key).map(Answer::toResponse);
    }

    @Allowed({Scope.meter, Scope.read})
    @GET
    @Operation(operationId = "getAccount", summary = "Usage status", description = "Balance, counters, plan and active grants, with the seed's field names.")
    @APIResponse(responseCode = "200", description = "The account",
            content = @Content(schema = @Schema(implementation = AccountView.class), examples = @ExampleObject(name = "free", value = ACCOUNT_EXAMPLE)))
    @APIResponse(responseCode = "400", ref = "InvalidRequest")
    @APIResponse(responseCode = "404", ref = "AccountNotFound")
    public Uni<AccountView> status(@PathParam("userId") String userId) {
        return service.status(UserIds.checked(userId));
    }
}

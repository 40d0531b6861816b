package dev.creditledger.grant;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.creditledger.api.Answer;
import dev.creditledger.api.UserIds;
import dev.creditledger.idempotency.IdempotencyKey;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
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

@Path("/v1/accounts/{userId}/grants")
@Tag(name = "Grants")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class GrantResource {

    private final GrantService service;
    private final ObjectMapper mapper;

    public GrantResource(GrantService service, ObjectMapper mapper) {
        this.service = service;
        this.mapper = mapper;
    }

    @POST
    @Operation(operationId = "grantCredits", summary = "Grant bonus credits", description = "Adds a grant beside the plan allowance (the seed's grantBonusCredits).")
    @RequestBody(content = @Content(examples = @ExampleObject(name = "bonus",
            value = "{\"credits\":10,\"reason\":\"Launch week bonus\",\"expiresAt\":\"2027-01-31T00:00:00Z\"}")))
    @APIResponse(responseCode = "201", description = "Granted", headers = @Header(name = Answer.REPLAYED_HEADER, ref = "IdempotentReplayed"),
            content = @Content(schema = @Schema(implementation = GrantView.class), examples = @ExampleObject(name = "bonus", value = """
                    {"grantId":42,"source":"bonus","credits":10,"amountTokens":20000,"remainingCredits":10,"remainingTokens":20000,
                     "priority":100,"effectiveAt":"2026-11-24T10:00:00Z","expiresAt":"2027-01-31T00:00:00Z","reason":"Launch week bonus"}""")))
    @APIResponse(responseCode = "400", ref = "BadRequest")
    @APIResponse(responseCode = "404", ref = "AccountNotFound")
    @APIResponse(responseCode = "422", ref = "KeyReused")
    public Uni<Response> grant(@PathParam("userId") String userId,
                               @HeaderParam(IdempotencyKey.HEADER)
                               String idempotencyKey,
                               @NotNull @Valid GrantRequest request) {
        UserIds.checked(userId);
        IdempotencyKey key = IdempotencyKey.of(idempotencyKey, "grant", userId, request.normalized(), mapper);
        return service.grant(userId, request, key).map(Answer::toResponse);
    }
}

package dev.creditledger.consume;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.creditledger.api.Answer;
import dev.creditledger.api.UserIds;
import dev.creditledger.idempotency.IdempotencyKey;
import dev.creditledger.security.Allowed;
import dev.creditledger.security.Scope;
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

@Path("/v1/accounts/{userId}/consume")
@Tag(name = "Consumption")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ConsumeResource {

    private final ConsumeService service;
    private final ObjectMapper mapper;

    public ConsumeResource(ConsumeService service, ObjectMapper mapper) {
        this.service = service;
        this.mapper = mapper;
    }

    @Allowed({Scope.meter})
    @POST
    @Operation(operationId = "consume", summary = "Pay for one AI action",
            description = "Debits the feature's price (fixed features) or the reported tokens (metered features) in one "
                    + "guarded transaction. Refused with 429 and no change when the account cannot pay.")
    @RequestBody(content = @Content(examples = {
            @ExampleObject(name = "fixed", value = "{\"feature\":\"code_generation\"}"),
            @ExampleObject(name = "metered", value = "{\"feature\":\"llm_call\",\"tokens\":3500}")}))
    @APIResponse(responseCode = "200", description = "Paid", headers = @Header(name = Answer.REPLAYED_HEADER, ref = "IdempotentReplayed"),
            content = @Content(schema = @Schema(implementation = ConsumeResponse.class), examples = @ExampleObject(name = "paid", value = """
                    {"success":true,"feature":"code_generation","entryId":7,"creditInfo":{"tokensUsed":2000,"creditsUsed":1,
                     "creditsRemaining":4,"tokensRemaining":8000,"totalTokensUsed":2000}}""")))
    @APIResponse(responseCode = "400", ref = "BadFeatureRequest")
    @APIResponse(responseCode = "404", ref = "AccountNotFound")
    @APIResponse(responseCode = "422", ref = "KeyReused")
    @APIResponse(responseCode = "429", ref = "InsufficientCredits")
    public Uni<Response> consume(@PathParam("userId") String userId,
                                 @HeaderParam(IdempotencyKey.HEADER)
                                 String idempotencyKey,
                                 @NotNull @Valid ConsumeRequest request) {
        UserIds.checked(userId);
        IdempotencyKey key = IdempotencyKey.of(idempotencyKey, "consume", userId, request, mapper);
        return service.consume(userId, request, key).map(Answer::toResponse);
    }
}

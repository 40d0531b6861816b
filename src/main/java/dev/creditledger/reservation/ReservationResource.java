package dev.creditledger.reservation;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.creditledger.api.Answer;
import dev.creditledger.api.Cursors;
import dev.creditledger.api.UserIds;
import dev.creditledger.domain.ReservationStatus;
import dev.creditledger.idempotency.IdempotencyKey;
import dev.creditledger.problem.CreditException;
import dev.creditledger.security.Allowed;
import dev.creditledger.security.Scope;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Arrays;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Reservations: credits set aside before an AI call whose cost is known only afterwards, then
 * settled with the actual usage, released, or left to expire.
 */
@Path("/v1/accounts/{userId}/reservations")
@Tag(name = "Reservations")
@Produces(MediaType.APPLICATION_JSON)
public class ReservationResource {

    public static final String OPEN_EXAMPLE = """
            {"reservation":{"reservationId":17,"userId":"user_123","status":"open","feature":"llm_call","requestedTokens":4000,
             "heldTokens":4000,"heldCredits":2,"reportedTokens":null,"chargedTokens":null,"chargedCredits":null,
             "uncoveredTokens":null,"createdAt":"2026-11-24T10:05:00Z","expiresAt":"2026-11-24T10:10:00Z","resolvedAt":null},
             "credits":3,"availableTokens":6000,"heldTokens":4000}""";
    public static final String SETTLED_EXAMPLE = """
            {"reservation":{"reservationId":17,"userId":"user_123","status":"settled","feature":"llm_call","requestedTokens":4000,
             "heldTokens":0,"heldCredits":0,"reportedTokens":3120,"chargedTokens":3120,"chargedCredits":1.56,
             "uncoveredTokens":0,"createdAt":"2026-11-24T10:05:00Z","expiresAt":"2026-11-24T10:10:00Z",
             "resolvedAt":"2026-11-24T10:05:09Z"},"credits":3.44,"availableTokens":6880,"heldTokens":0}""";
    public static final String RELEASED_EXAMPLE = """
            {"reservation":{"reservationId":17,"userId":"user_123","status":"released","feature":"llm_call","requestedTokens":4000,
             "heldTokens":0,"heldCredits":0,"reportedTokens":null,"chargedTokens":null,"chargedCredits":null,
             "uncoveredTokens":null,"createdAt":"2026-11-24T10:05:00Z","expiresAt":"2026-11-24T10:10:00Z",
             "resolvedAt":"2026-11-24T10:05:09Z"},"credits":5,"availableTokens":10000,"heldTokens":0}""";
    public static final String VIEW_EXAMPLE = """
            {"reservationId":17,"userId":"user_123","status":"open","feature":"llm_call","requestedTokens":4000,
             "heldTokens":4000,"heldCredits":2,"reportedTokens":null,"chargedTokens":null,"chargedCredits":null,
             "uncoveredTokens":null,"createdAt":"2026-11-24T10:05:00Z","expiresAt":"2026-11-24T10:10:00Z","resolvedAt":null}""";
    public static final String PAGE_EXAMPLE = "{\"reservations\":[" + VIEW_EXAMPLE + "],\"nextCursor\":null}";

    private final ReservationService service;
    private final ObjectMapper mapper;

    public ReservationResource(ReservationService service, ObjectMapper mapper) {
        this.service = service;
        this.mapper = mapper;
    }

    @Allowed({Scope.meter})
    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "createReservation", summary = "Hold credits for an in-flight AI call",
            description = "Sets tokens aside in one guarded transaction: the most a metered call may use, or a fixed feature's "
                    + "price. They stay in the balance but cannot be spent by anything else until the reservation is settled, "
                    + "released, or expires after ttlSeconds. Refused with 429 and no change when the account cannot cover "
                    + "them (insufficient-credits) or already has credits.reservations.max-open-per-account open reservations "
                    + "(too-many-reservations).")
    @RequestBody(content = @Content(examples = {
            @ExampleObject(name = "metered", value = "{\"feature\":\"llm_call\",\"tokens\":4000,\"ttlSeconds\":300}"),
            @ExampleObject(name = "fixed", value = "{\"feature\":\"code_generation\"}")}))
    @APIResponse(responseCode = "201", description = "Held", headers = @Header(name = Answer.REPLAYED_HEADER, ref = "IdempotentReplayed"),
            content = @Content(schema = @Schema(implementation = ReservationAnswer.class),
                    examples = @ExampleObject(name = "held", value = OPEN_EXAMPLE)))
    @APIResponse(responseCode = "400", ref = "BadFeatureRequest")
    @APIResponse(responseCode = "404", ref = "AccountNotFound")
    @APIResponse(responseCode = "422", ref = "KeyReused")
    @APIResponse(responseCode = "429", ref = "HoldRefused")
    public Uni<Response> hold(@PathParam("userId") String userId,
                              @HeaderParam(IdempotencyKey.HEADER)
                              String idempotencyKey,
                              @NotNull @Valid ReservationRequest request) {
        UserIds.checked(userId);
        IdempotencyKey key = IdempotencyKey.of(idempotencyKey, "hold", userId, request, mapper);
        return service.hold(userId, request, key).map(Answer::toResponse);
    }

    @Allowed({Scope.meter})
    @POST
    @Path("/{reservationId}/settle")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "settleReservation", summary = "Settle a reservation with the actual usage",
            description = "Charges the tokens the call used (metered) or the feature's price (fixed) and ends the hold, in one "
                    + "guarded transaction. Usage above the hold is charged as far as the available balance covers it; what it "
                    + "cannot cover is reported as uncoveredTokens, never overdrawn. A reservation is resolved exactly once: "
                    + "settling one that is no longer open is 409, with the reservation as it stands. The body may be omitted "
                    + "for a fixed feature.")
    @RequestBody(required = false, content = @Content(examples = @ExampleObject(name = "metered", value = "{\"tokens\":3120}")))
    @APIResponse(responseCode = "200", description = "Settled", headers = @Header(name = Answer.REPLAYED_HEADER, ref = "IdempotentReplayed"),
            content = @Content(schema = @Schema(implementation = ReservationAnswer.class),
                    examples = @ExampleObject(name = "settled", value = SETTLED_EXAMPLE)))
    @APIResponse(responseCode = "400", ref = "BadRequest")
    @APIResponse(responseCode = "404", ref = "ReservationNotFound")
    @APIResponse(responseCode = "409", ref = "ReservationNotOpen")
    @APIResponse(responseCode = "422", ref = "KeyReused")
    public Uni<Response> settle(@PathParam("userId") String userId,
                                @PathParam("reservationId")
                                String reservationId,
                                @HeaderParam(IdempotencyKey.HEADER)
                                String idempotencyKey,
                                @Valid SettleRequest request) {
        UserIds.checked(userId);
        long id = reservationId(reservationId);
        IdempotencyKey key = IdempotencyKey.of(idempotencyKey, "settle", userId,
                Arrays.asList(id, request == null ? null : request.tokens()), mapper);
        return service.settle(userId, id, request, key).map(Answer::toResponse);
    }

    @Allowed({Scope.meter})
    @POST
    @Path("/{reservationId}/release")
    @Operation(operationId = "releaseReservation", summary = "Release a reservation without charging",
            description = "Ends the hold and makes its tokens available again (the call was not made, or failed). Any body "
                    + "is ignored. Releasing a reservation that is no longer open is 409, with the reservation as it stands.")
    @APIResponse(responseCode = "200", description = "Released", headers = @Header(name = Answer.REPLAYED_HEADER, ref = "IdempotentReplayed"),
            content = @Content(schema = @Schema(implementation = ReservationAnswer.class),
                    examples = @ExampleObject(name = "released", value = RELEASED_EXAMPLE)))
    @APIResponse(responseCode = "400", ref = "InvalidRequest")
    @APIResponse(responseCode = "404", ref = "ReservationNotFound")
    @APIResponse(responseCode = "409", ref = "ReservationNotOpen")
    @APIResponse(responseCode = "422", ref = "KeyReused")
    public Uni<Response> release(@PathParam("userId") String userId,
                                 @PathParam("reservationId")
                                 String reservationId,
                                 @HeaderParam(IdempotencyKey.HEADER)
                                 String idempotencyKey) {
        UserIds.checked(userId);
        long id = reservationId(reservationId);
        IdempotencyKey key = IdempotencyKey.of(idempotencyKey, "release", userId, List.of(id), mapper);
        return service.release(userId, id, key).map(Answer::toResponse);
    }

    @Allowed({Scope.meter, Scope.read})
    @GET
    @Path("/{reservationId}")
    @Operation(operationId = "getReservation", summary = "One reservation", description = "As it stands now: a hold past its expiry shows as expired.")
    @APIResponse(responseCode = "200", description = "The reservation", content = @Content(schema = @Schema(implementation = ReservationView.class),
            examples = @ExampleObject(name = "open", value = VIEW_EXAMPLE)))
    @APIResponse(responseCode = "400", ref = "InvalidRequest")
    @APIResponse(responseCode = "404", ref = "ReservationNotFound")
    public Uni<ReservationView> get(@PathParam("userId") String userId,
                                    @PathParam("reservationId")
                                    String reservationId) {
        UserIds.checked(userId);
        return service.get(userId, reservationId(reservationId));
    }

    @Allowed({Scope.meter, Scope.read})
    @GET
    @Operation(operationId = "listReservations", summary = "The account's reservations, newest first", description = "All of them, or those of one status.")
    @APIResponse(responseCode = "200", description = "One page", content = @Content(schema = @Schema(implementation = ReservationPage.class),
            examples = @ExampleObject(name = "page", value = PAGE_EXAMPLE)))
    @APIResponse(responseCode = "400", ref = "InvalidRequest")
    @APIResponse(responseCode = "404", ref = "AccountNotFound")
    public Uni<ReservationPage> list(@PathParam("userId") String userId,
                                     @Parameter(description = "Only reservations with this status; all when absent", schema = @Schema(implementation = ReservationStatus.class))
                                     @QueryParam("status") String status,
                                     @QueryParam("limit") String limit,
                                     @QueryParam("cursor") String cursor) {
        UserIds.checked(userId);
        return service.page(userId, status(status), Cursors.limit(limit), cursor);
    }

    /** A reservation id: a positive integer, else 400 naming the parameter. */
    public static long reservationId(String value) {
        if (value != null && value.matches("[1-9][0-9]{0,17}")) {
            return Long.parseLong(value);
        }
        throw CreditException.invalid("reservationId", "must be a positive integer");
    }

    /** The {@code status} filter: null when absent, else one of the statuses, else 400. */
    public static ReservationStatus status(String value) {
        if (value == null) {
            return null;
        }
        for (ReservationStatus s : ReservationStatus.values()) {
            if (s.name().equals(value)) {
                return s;
            }
        }
        throw CreditException.invalid("status", "must be one of open, settled, released, expired");
    }
}

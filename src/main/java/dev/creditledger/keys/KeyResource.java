package dev.creditledger.keys;

import dev.creditledger.problem.CreditException;
import dev.creditledger.problem.ErrorCode;
import dev.creditledger.security.ApiKeyStore;
import dev.creditledger.security.ApiKeys;
import dev.creditledger.security.AuditLog;
import dev.creditledger.security.KeyCache;
import dev.creditledger.sql.Sql;
import dev.creditledger.time.Instants;
import dev.creditledger.write.Transactions;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Clock;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** API key management, for admin keys only. */
@Path("/v1/keys")
@Tag(name = "Keys")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class KeyResource {

    private final ApiKeyStore store;
    private final KeyCache cache;
    private final Transactions writes;
    private final AuditLog audit;
    private final Clock clock;

    public KeyResource(ApiKeyStore store, KeyCache cache, Transactions writes, AuditLog audit, Clock clock) {
        this.store = store;
        this.cache = cache;
        this.writes = writes;
        this.audit = audit;
        this.clock = clock;
    }

    @POST
    @Operation(operationId = "createKey", summary = "Create an API key", description = "The secret is in this response only; the service keeps a hash.")
    @APIResponse(responseCode = "201", description = "Created", content = @Content(schema = @Schema(implementation = KeyViews.CreatedKey.class),
            examples = @ExampleObject(name = "meter", value = """
                    {"keyId":2,"name":"checkout backend","prefix":"cl_Xq3vT9kP","scopes":["meter"],"rateLimit":200,
                     "createdAt":"2026-11-24T10:00:00Z","key":"cl_Xq3vT9kPz0aB7cD2eF4gH6iJ8kL0mN2oP4qR6sT8uV"}""")))
    @APIResponse(responseCode = "400", ref = "BadRequest")
    public Uni<Response> create(@NotNull @Valid KeyViews.CreateKeyRequest request) {
        String key = ApiKeys.newKey();
        return writes.onConnection(conn -> store.insert(conn, key, request.name(), request.scopes(), request.rateLimit(), Instants.now(clock))
                        .call(() -> audit.recordInTransaction(Sql.on(conn), 201)))
                .map(stored -> Response.status(201).entity(new KeyViews.CreatedKey(stored.keyId(), stored.name(), stored.prefix(),
                        stored.scopes(), stored.rateLimit(), stored.createdAt(), key)).build());
    }

    @GET
    @Operation(operationId = "listKeys", summary = "List API keys", description = "Every key, revoked ones included, without secrets.")
    @APIResponse(responseCode = "200", description = "The keys", content = @Content(schema = @Schema(implementation = KeyViews.KeyList.class),
            examples = @ExampleObject(name = "two keys", value = """
                    {"keys":[{"keyId":1,"name":"bootstrap","prefix":"cl_Ab12Cd34","scopes":["admin"],"rateLimit":null,
                     "createdAt":"2026-11-24T09:00:00Z","lastUsedAt":"2026-11-24T10:21:00Z","revokedAt":null},
                     {"keyId":2,"name":"checkout backend","prefix":"cl_Xq3vT9kP","scopes":["meter"],"rateLimit":200,
                     "createdAt":"2026-11-24T10:00:00Z","lastUsedAt":"2026-11-24T10:20:00Z","revokedAt":null}]}""")))
    public Uni<KeyViews.KeyList> list() {
        return store.list().map(keys -> new KeyViews.KeyList(keys.stream().map(KeyViews.KeyView::of).toList()));
    }

    @DELETE
    @Path("/{keyId}")
    @Operation(operationId = "revokeKey", summary = "Revoke an API key", description = "Refused at once on this instance, within 10 seconds on the others.")
    @APIResponse(responseCode = "200", description = "Revoked", content = @Content(schema = @Schema(implementation = KeyViews.KeyView.class),
            examples = @ExampleObject(name = "revoked", value = """
                    {"keyId":2,"name":"checkout backend","prefix":"cl_Xq3vT9kP","scopes":["meter"],"rateLimit":200,
                     "createdAt":"2026-11-24T10:00:00Z","lastUsedAt":"2026-11-24T10:20:00Z","revokedAt":"2026-11-24T10:30:00Z"}""")))
    @APIResponse(responseCode = "400", ref = "InvalidRequest")
    @APIResponse(responseCode = "404", ref = "KeyNotFound")
    public Uni<KeyViews.KeyView> revoke(@PathParam("keyId") String keyId) {
        long id = parseId(keyId);
        return writes.onConnection(conn -> store.revoke(conn, id, Instants.now(clock)).call(key -> {
            if (key == null) {
                return Uni.createFrom().failure(new CreditException(ErrorCode.KEY_NOT_FOUND, "No API key with id " + keyId));
            }
            return audit.recordInTransaction(Sql.on(conn), 200);
        })).map(key -> {
            cache.forget(id);
            return KeyViews.KeyView.of(key);
        });
    }

    private static long parseId(String keyId) {
        try {
            long id = Long.parseLong(keyId);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // falls through to the refusal below
        }
        throw CreditException.invalid("keyId", "must be a positive whole number");
    }
}

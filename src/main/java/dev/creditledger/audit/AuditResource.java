package dev.creditledger.audit;

import dev.creditledger.api.Cursors;
import dev.creditledger.security.AuditLog;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The audit log, for admin keys only. */
@Path("/v1/audit")
@Tag(name = "Keys")
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource {

    private final AuditLog audit;

    public AuditResource(AuditLog audit) {
        this.audit = audit;
    }

    @GET
    @Operation(operationId = "listAudit", summary = "Admin actions, newest first",
            description = "Every POST, PUT and DELETE on an admin-only endpoint: which key, what, when, the answer and the request id.")
    @APIResponse(responseCode = "200", description = "One page", content = @Content(schema = @Schema(implementation = AuditLog.Page.class),
            examples = @ExampleObject(name = "page", value = """
                    {"entries":[{"auditId":3,"keyId":1,"keyPrefix":"cl_Ab12Cd34","method":"DELETE","path":"/v1/keys/2","status":200,
                     "requestId":"req-7f3a","createdAt":"2026-11-24T10:05:00Z"},
                     {"auditId":2,"keyId":1,"keyPrefix":"cl_Ab12Cd34","method":"PUT","path":"/v1/accounts/user_123/subscription",
                     "status":200,"requestId":"req-7f39","createdAt":"2026-11-24T10:04:00Z"}],"nextCursor":"ZToy"}""")))
    @APIResponse(responseCode = "400", ref = "InvalidRequest")
    public Uni<AuditLog.Page> audit(@QueryParam("limit") String limit,
                                    @QueryParam("cursor") String cursor) {
        return audit.page(Cursors.limit(limit), cursor);
    }
}

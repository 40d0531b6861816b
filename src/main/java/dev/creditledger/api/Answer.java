package dev.creditledger.api;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** What a write answered: status and JSON body, the same bytes on a replay. */
public record Answer(int status, String json, boolean replayed) {

    public static final String REPLAYED_HEADER = "Idempotent-Replayed";

    public Response toResponse() {
        Response.ResponseBuilder builder = Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(json);
        if (replayed) {
            builder.header(REPLAYED_HEADER, "true");
        }
        return builder.build();
    }

    /** The status and body a write produced, before it is serialized. */
    public record Result(int status, Object body) {
    }
}

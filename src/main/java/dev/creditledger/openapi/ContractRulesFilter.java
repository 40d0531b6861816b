package dev.creditledger.openapi;

import dev.creditledger.api.UserIds;
import dev.creditledger.idempotency.IdempotencyKey;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;

/**
 * Writes the rules every endpoint shares into the document once: the validation of the common
 * parameters, and the 401, 403 and rate-limit 429 answers of every {@code /v1} operation (all need
 * an API key).
 */
public class ContractRulesFilter implements OASFilter {

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getPaths() == null) {
            return;
        }
        openAPI.getPaths().getPathItems().forEach((path, item) -> {
            if (path.startsWith("/v1/")) {
                item.getOperations().values().forEach(operation -> {
                    operation.getResponses()
                            .addAPIResponse("401", OASFactory.createAPIResponse().ref("Unauthorized"))
                            .addAPIResponse("403", OASFactory.createAPIResponse().ref("Forbidden"));
                    if (!operation.getResponses().hasAPIResponse("429")) {
                        operation.getResponses().addAPIResponse("429", OASFactory.createAPIResponse().ref("RateLimited"));
                    }
                });
            }
        });
    }

    @Override
    public Parameter filterParameter(Parameter parameter) {
        if (parameter.getSchema() == null) {
            return parameter;
        }
        if ("userId".equals(parameter.getName())) {
            parameter.getSchema().pattern(UserIds.PATTERN).minLength(1).maxLength(128);
        } else if (IdempotencyKey.HEADER.equals(parameter.getName())) {
            parameter.getSchema().pattern("^[\\x20-\\x7E]{1,255}$").minLength(1).maxLength(255);
        }
        return parameter;
    }
}

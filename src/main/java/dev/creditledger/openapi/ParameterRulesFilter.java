package dev.creditledger.openapi;

import dev.creditledger.account.UserIds;
import dev.creditledger.idempotency.IdempotencyKey;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;

/** Writes the validation rules of the common parameters into the document, once for every endpoint. */
public class ParameterRulesFilter implements OASFilter {

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

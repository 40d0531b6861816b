package dev.creditledger.plan;

import dev.creditledger.catalog.PlanCatalog;
import dev.creditledger.security.Allowed;
import dev.creditledger.security.Scope;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/v1/plans")
@Tag(name = "Plans")
@Produces(MediaType.APPLICATION_JSON)
public class PlansResource {

    private final PlanCatalog plans;

    public PlansResource(PlanCatalog plans) {
        this.plans = plans;
    }

    @Allowed({Scope.meter, Scope.read})
    @GET
    @Operation(operationId = "listPlans", summary = "Tiers with allowances, features with prices, tokens per credit")
    @APIResponse(responseCode = "200", description = "The configured plans", content = @Content(schema = @Schema(implementation = PlansView.class),
            examples = @ExampleObject(name = "defaults", value = """
                    {"tokensPerCredit":2000,"defaultTier":"free","maxTokensPerRequest":1000000000000,
                     "plans":[{"tier":"free","credits":5,"tokens":10000},{"tier":"pro","credits":100,"tokens":200000},
                     {"tier":"enterprise","credits":1000,"tokens":2000000}],
                     "features":[{"name":"code_generation","pricing":"fixed","credits":1,"tokens":2000},
                     {"name":"code_review","pricing":"fixed","credits":1,"tokens":2000},
                     {"name":"llm_call","pricing":"metered","credits":null,"tokens":null}]}""")))
    public PlansView plans() {
        return new PlansView(plans.tokensPerCredit(), plans.defaultTier(), plans.maxTokensPerRequest(),
                plans.plansByAllowance().stream().map(e -> new PlansView.PlanView(e.getKey(), plans.credits(e.getValue()), e.getValue())).toList(),
                plans.features().stream().map(f -> new PlansView.FeatureView(f.name(), f.pricing(),
                        f.metered() ? null : plans.credits(f.tokensPerRequest()), f.metered() ? null : f.tokensPerRequest())).toList());
    }
}

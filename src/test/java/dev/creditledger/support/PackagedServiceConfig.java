package dev.creditledger.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * What the artifact a {@code @QuarkusIntegrationTest} launches needs beyond the suite's global resources
 * ({@link TestDatabase}: its database; {@link TestJwtKeys}): the suite's admin key. The artifact runs in
 * the {@code prod} profile, as shipped, so none of the {@code %test} settings apply to it; these values
 * reach it as system properties.
 */
public class PackagedServiceConfig implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        return Map.of("credits.bootstrap-admin-key", AdminKeyByDefault.ADMIN_KEY);
    }

    @Override
    public void stop() {
    }
}

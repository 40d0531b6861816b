package dev.creditledger.support;

import io.quarkus.test.common.QuarkusTestResource;

/**
 * Marker that registers {@link TestDatabase} for the whole suite (Quarkus applies a test
 * resource to every test when it is not restricted to the annotated class).
 */
@QuarkusTestResource(TestDatabase.class)
public final class DatabaseTest {

    private DatabaseTest() {
    }
}

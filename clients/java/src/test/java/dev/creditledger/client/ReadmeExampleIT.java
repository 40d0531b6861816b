package dev.creditledger.client;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class ReadmeExampleIT {

    @Test
    void theReadmeExampleRunsUntilTheCreditsRunOut() throws Exception {
        String answer = ReadmeExample.run(ServiceUnderTest.url(), ServiceUnderTest.adminKey(),
                "java-readme-" + UUID.randomUUID().toString().substring(0, 8));

        assertTrue(answer.startsWith("out of credits: 0 left, 2000 tokens needed, refill at "), answer);
        assertTrue(answer.matches(".*, retry in \\d+ h$"), answer);
    }
}

package dev.creditledger.client;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * README.md, and the repository's README.md under "Use from your app", show the lines of ReadmeExample
 * between its README:begin and README:end markers, as they are.
 */
class ReadmeInSyncTest {

    @Test
    void theReadmeShowsTheExampleAsItCompiles() throws IOException {
        String example = Files.readString(Path.of("src/test/java/dev/creditledger/client/ReadmeExample.java"), StandardCharsets.UTF_8);
        String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
        String body = example.substring(example.indexOf("// README:begin\n") + "// README:begin\n".length(),
                example.indexOf("// README:end"));
        String snippet = body.lines()
                .map(line -> line.length() >= 8 ? line.substring(8) : line.strip())
                .collect(Collectors.joining("\n"))
                .strip();

        assertTrue(snippet.length() > 200, "the example between the markers");
        assertTrue(readme.contains("```java\n" + snippet + "\n```"), "README.md must show ReadmeExample's lines:\n" + snippet);
        String repositoryReadme = Files.readString(Path.of("../../README.md"), StandardCharsets.UTF_8);
        assertTrue(repositoryReadme.contains("```java\n" + snippet + "\n```"),
                "the repository's README.md must show ReadmeExample's lines:\n" + snippet);
    }
}

package dev.creditledger.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@link Problems} names exactly the problem types the contract has (each schema's fixed {@code type}). */
class ProblemTypesTest {

    @Test
    void problemsNamesEveryTypeOfTheContractAndNoOther() throws Exception {
        String contract = Files.readString(Path.of("../../docs/openapi.yaml"), StandardCharsets.UTF_8);
        Set<String> documented = new TreeSet<>();
        Matcher m = Pattern.compile("const: \"?(urn:credit-ledger:problem:[a-z-]+)\"?").matcher(contract);
        while (m.find()) {
            documented.add(m.group(1));
        }
        Set<String> named = new TreeSet<>();
        for (Field f : Problems.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                String value = (String) f.get(null);
                if (value.startsWith(Problems.PREFIX) && !value.equals(Problems.PREFIX)) {
                    named.add(value);
                }
            }
        }
        assertEquals(documented, named, "Problems' constants against docs/openapi.yaml; missing or extra: "
                + Arrays.toString(documented.stream().filter(t -> !named.contains(t)).toArray()));
    }
}

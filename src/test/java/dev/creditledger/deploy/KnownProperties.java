package dev.creditledger.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.creditledger.catalog.CreditsConfig;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.ConfigMappings;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The configuration properties this service reads at run time, each by the environment variable that
 * sets it: a variable that fits none is one the service silently ignores. SmallRye Config reads
 * {@code QUARKUS_HTTP_PORT} only when something asks for {@code quarkus.http.port}, so an unknown
 * variable is no error; and Quarkus warns about unknown {@code quarkus.*} keys from files and system
 * properties, not from the environment (a run of the packaged jar with {@code QUARKUS_HTTP_PROTT=1}
 * says nothing, while {@code -Dquarkus.http.prott=1} gets "Unrecognized configuration key").
 *
 * <p>The properties come from where each is declared:
 * <ul>
 * <li>Quarkus's: each extension's configuration model on the class path
 * ({@code META-INF/quarkus-config-doc/quarkus-config-model.json}), with its phase. Only {@code RUN_TIME}
 * properties take a value from the pod's environment; the others are fixed when the jar is built;</li>
 * <li>the service's own: the {@code credits.*} mapping, {@link CreditsConfig}, as SmallRye Config lists it;</li>
 * <li>MicroProfile JWT's: the {@code @ConfigProperty} names smallrye-jwt injects
 * ({@code JWTAuthContextInfoProvider}: {@code mp.jwt.verify.publickey}, ...).</li>
 * </ul>
 * A property's variable follows SmallRye's rule: every character but letters and digits becomes
 * {@code _}, letters upper case. A map key ({@code *} or a quoted {@code "name"}) stands for any key,
 * so {@code CREDITS_PLANS_TEAM_CREDITS} is {@code credits.plans.*.credits} for a tier {@code team}
 * (and a typo inside such a name can pass as a new key).
 */
final class KnownProperties {

    private static final String QUARKUS_MODEL = "META-INF/quarkus-config-doc/quarkus-config-model.json";
    private static final String JWT_PROPERTIES = "io.smallrye.jwt.config.JWTAuthContextInfoProvider";
    private static final String ANY_KEY = "[A-Z0-9_]+";

    /** Property by the pattern of its variable: those read at run time, and those fixed at build time. */
    private final Map<Pattern, String> runTime = new LinkedHashMap<>();
    private final Map<Pattern, String> buildTime = new LinkedHashMap<>();

    private KnownProperties() {
    }

    static KnownProperties ofThisService() {
        KnownProperties known = new KnownProperties();
        known.addQuarkusModels();
        String prefix = CreditsConfig.class.getAnnotation(ConfigMapping.class).prefix();
        ConfigMappings.getProperties(new ConfigMappings.ConfigClass(CreditsConfig.class, prefix)).keySet()
                .forEach(known::runTime);
        known.addInjectedProperties(JWT_PROPERTIES);
        if (known.runTime.keySet().stream().noneMatch(p -> p.matcher("QUARKUS_HTTP_PORT").matches())
                || known.runTime.keySet().stream().noneMatch(p -> p.matcher("MP_JWT_VERIFY_PUBLICKEY").matches())) {
            throw new IllegalStateException("the known properties are incomplete: " + known.runTime.size() + " found");
        }
        return known;
    }

    /** Empty when the variable sets a property the service reads at run time; else what is wrong with it. */
    Optional<String> problem(String variable) {
        if (runTime.keySet().stream().anyMatch(p -> p.matcher(variable).matches())) {
            return Optional.empty();
        }
        for (Map.Entry<Pattern, String> fixed : buildTime.entrySet()) {
            if (fixed.getKey().matcher(variable).matches()) {
                return Optional.of("sets " + fixed.getValue() + ", which is fixed when the jar is built: the pod's value is not used");
            }
        }
        String closest = runTime.entrySet().stream().filter(e -> !e.getKey().pattern().contains(ANY_KEY))
                .min(Comparator.comparingInt(e -> distance(e.getKey().pattern(), variable)))
                .map(e -> e.getKey().pattern() + " (" + e.getValue() + ")").orElse("none");
        return Optional.of("the service reads no property from it at run time (misspelt, or a property fixed at build time?"
                + " The closest one it reads is " + closest + ")");
    }

    private void runTime(String property) {
        runTime.put(variablePattern(property), property);
    }

    private void addQuarkusModels() {
        ObjectMapper json = new ObjectMapper();
        List<URL> models;
        try {
            models = Collections.list(Thread.currentThread().getContextClassLoader().getResources(QUARKUS_MODEL));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (models.isEmpty()) {
            throw new IllegalStateException("no " + QUARKUS_MODEL + " on the class path");
        }
        for (URL model : models) {
            try (InputStream in = model.openStream()) {
                collect(json.readTree(in));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + model, e);
            }
        }
    }

    /** Every property of a Quarkus configuration model: nodes with a path (and maybe additional paths) and a phase. */
    private void collect(JsonNode node) {
        if (node.isObject() && node.path("path").has("property") && node.has("phase")) {
            Map<Pattern, String> target = "RUN_TIME".equals(node.path("phase").asText()) ? runTime : buildTime;
            List<JsonNode> paths = new ArrayList<>();
            paths.add(node.path("path"));
            node.path("additionalPaths").forEach(paths::add);
            for (JsonNode path : paths) {
                String property = path.path("property").asText();
                target.put(variablePattern(property), property);
            }
        }
        node.forEach(this::collect);
    }

    private void addInjectedProperties(String className) {
        Class<?> type;
        try {
            type = Class.forName(className, false, Thread.currentThread().getContextClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("smallrye-jwt's " + className + " is not on the class path", e);
        }
        for (Field field : type.getDeclaredFields()) {
            ConfigProperty property = field.getAnnotation(ConfigProperty.class);
            if (property != null) {
                runTime(property.name());
            }
        }
    }

    /** The environment variable of a property, as a pattern: SmallRye's rule, with any key for {@code *} or {@code "..."}. */
    static Pattern variablePattern(String property) {
        StringBuilder pattern = new StringBuilder();
        for (int i = 0; i < property.length(); i++) {
            char c = property.charAt(i);
            if (c == '"') {
                int end = property.indexOf('"', i + 1);
                i = end < 0 ? property.length() : end;
                pattern.append(ANY_KEY);
            } else if (c == '*' || property.startsWith("[*]", i)) {
                i += c == '*' ? 0 : 2;
                pattern.append(ANY_KEY);
            } else if (Character.isLetterOrDigit(c) && c < 128) {
                pattern.append(Character.toUpperCase(c));
            } else {
                pattern.append('_');
            }
        }
        return Pattern.compile(pattern.toString());
    }

    /** Levenshtein distance, to name the closest known variable in a failure. */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}

package dev.creditledger;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.creditledger.problem.CreditException;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.junit.jupiter.api.Test;

/**
 * A native executable's Jackson sees only the types registered for reflection: {@link NativeReflection}
 * lists every JSON shape of the API (each class with an OpenAPI {@code @Schema}) and the field errors of
 * a validation problem, no more and no less. Plain JUnit over the compiled main classes.
 */
class NativeReflectionTest {

    @Test
    void everyJsonShapeIsRegisteredForReflection() {
        Set<String> shapes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.creditledger").stream()
                .filter(c -> c.isAnnotatedWith(Schema.class))
                .map(JavaClass::getName)
                .collect(Collectors.toCollection(TreeSet::new));
        shapes.add(CreditException.FieldError.class.getName());
        Set<String> registered = Arrays.stream(NativeReflection.class.getAnnotation(RegisterForReflection.class).targets())
                .map(Class::getName)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(shapes, registered);
    }
}

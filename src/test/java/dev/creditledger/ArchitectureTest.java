package dev.creditledger;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Dependencies flow one way (docs/design.md, rule P1): resources to services to the write
 * pipeline, the store and the domain; cross-cutting packages import no feature; the domain
 * imports nothing of the framework, the HTTP layer or the SQL client. Plain JUnit over the
 * compiled main classes, no Quarkus.
 */
class ArchitectureTest {

    private static final String[] FEATURES = {"dev.creditledger.account..", "dev.creditledger.audit..", "dev.creditledger.consume..",
            "dev.creditledger.grant..", "dev.creditledger.keys..", "dev.creditledger.ledger..", "dev.creditledger.maintenance..",
            "dev.creditledger.me..", "dev.creditledger.plan..", "dev.creditledger.reservation..", "dev.creditledger.subscription.."};
    private static final String[] CROSS_CUTTING = {"dev.creditledger.api..", "dev.creditledger.catalog..",
            "dev.creditledger.problem..", "dev.creditledger.idempotency..", "dev.creditledger.time..",
            "dev.creditledger.security..", "dev.creditledger.json..", "dev.creditledger.openapi..", "dev.creditledger.db..", "dev.creditledger.sql..",
            "dev.creditledger.metrics.."};

    private static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.creditledger");
    }

    @Test
    void theDomainDependsOnPlainJavaAndPersistenceAnnotationsOnly() {
        classes().that().resideInAPackage("dev.creditledger.domain..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("dev.creditledger.domain..", "java..", "jakarta.persistence..")
                .check(main);
    }

    @Test
    void topLevelPackagesAreFreeOfCycles() {
        slices().matching("dev.creditledger.(*)..").should().beFreeOfCycles().check(main);
    }

    @Test
    void crossCuttingPackagesImportNoFeatureAndNoWriteOrStore() {
        noClasses().that().resideInAnyPackage(CROSS_CUTTING)
                .should().dependOnClassesThat().resideInAnyPackage(withWriteAndStore(FEATURES))
                .check(main);
    }

    @Test
    void theStoreImportsNoFeatureAndNotTheWritePipeline() {
        noClasses().that().resideInAPackage("dev.creditledger.store..")
                .should().dependOnClassesThat().resideInAnyPackage(withWrite(FEATURES))
                .check(main);
    }

    @Test
    void theWritePipelineImportsNoFeature() {
        noClasses().that().resideInAPackage("dev.creditledger.write..")
                .should().dependOnClassesThat().resideInAnyPackage(FEATURES)
                .check(main);
    }

    @Test
    void resourcesGoThroughServicesNotTheStoreOrTheSqlClient() {
        noClasses().that().haveSimpleNameEndingWith("Resource")
                .should().dependOnClassesThat().resideInAnyPackage("dev.creditledger.store..", "io.vertx.mutiny.sqlclient..")
                .check(main);
    }

    private static String[] withWrite(String[] packages) {
        String[] out = java.util.Arrays.copyOf(packages, packages.length + 1);
        out[packages.length] = "dev.creditledger.write..";
        return out;
    }

    private static String[] withWriteAndStore(String[] packages) {
        String[] out = java.util.Arrays.copyOf(withWrite(packages), packages.length + 2);
        out[packages.length + 1] = "dev.creditledger.store..";
        return out;
    }
}

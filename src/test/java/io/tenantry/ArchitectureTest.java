package io.tenantry;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

/**
 * The feature packages stay free of cycles, repositories are used only inside their own
 * feature, and the tenancy core and API conventions depend on no feature.
 */
class ArchitectureTest {

    static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.tenantry");

    @Test
    void featuresHaveNoCycles() {
        slices().matching("io.tenantry.(*)..").should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void repositoriesAreUsedOnlyInsideTheirOwnFeature() {
        classes().that().haveSimpleNameEndingWith("Repository").or().haveSimpleName("AssignmentHistory")
                .should(beUsedOnlyFromTheirOwnPackage()).check(CLASSES);
    }

    @Test
    void tenancyAndTheApiConventionsDependOnNoFeature() {
        noClasses().that().resideInAnyPackage("io.tenantry.tenancy..", "io.tenantry.api..")
                .should().dependOnClassesThat().resideInAnyPackage("io.tenantry.organization..",
                        "io.tenantry.agent..", "io.tenantry.identity..", "io.tenantry.audit..",
                        "io.tenantry.security..")
                .check(CLASSES);
    }

    private static ArchCondition<JavaClass> beUsedOnlyFromTheirOwnPackage() {
        return new ArchCondition<>("be used only from their own package") {
            @Override
            public void check(JavaClass repository, ConditionEvents events) {
                for (Dependency dependency : repository.getDirectDependenciesToSelf()) {
                    JavaClass user = dependency.getOriginClass();
                    boolean outside = !user.getPackageName().equals(repository.getPackageName());
                    events.add(new SimpleConditionEvent(dependency, !outside, dependency.getDescription()));
                }
            }
        };
    }
}

package io.tenantry;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static org.assertj.core.api.Assertions.assertThat;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import java.util.Set;

import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

/**
 * The module boundaries, checked by structure rather than by name, so a new class is held
 * to them the day it is written: features free of cycles (billing's parts too, in the
 * direction the data flows), SQL only in repositories, repositories private to their
 * package, and the shared core depending on no feature.
 */
class ArchitectureTest {

    static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.tenantry");

    /** The core every feature stands on; it knows no feature, whatever features are added. */
    static final String[] CORE = {"io.tenantry.tenancy..", "io.tenantry.api..", "io.tenantry.jdbc..",
            "io.tenantry.crypto..", "io.tenantry.net..", "io.tenantry.jobs.."};

    /**
     * Classes that run SQL without being repositories, each reviewed: the scoped transaction
     * (it sets the scope in the database), the rollup lock (it locks a table) and the
     * assignment lock (an advisory lock).
     */
    static final Set<String> SQL_OUTSIDE_REPOSITORIES = Set.of("io.tenantry.tenancy.ScopedTransactions",
            "io.tenantry.billing.RollupLock", "io.tenantry.agent.AssignmentLock");

    @Test
    void featuresHaveNoCycles() {
        slices().matching("io.tenantry.(*)..").should().beFreeOfCycles().check(CLASSES);
    }

    @Test
    void billingsPartsFollowTheDataFromPricesToUsageToStatements() {
        slices().matching("io.tenantry.billing.(*)..").should().beFreeOfCycles().check(CLASSES);
        noClasses().that().resideInAPackage("io.tenantry.billing").should().dependOnClassesThat()
                .resideInAnyPackage("io.tenantry.billing.pricing..", "io.tenantry.billing.usage..",
                        "io.tenantry.billing.statement..")
                .because("the shared month and lock types lie beneath billing's parts").check(CLASSES);
        noClasses().that().resideInAPackage("io.tenantry.billing.pricing..").should().dependOnClassesThat()
                .resideInAnyPackage("io.tenantry.billing.usage..", "io.tenantry.billing.statement..").check(CLASSES);
        noClasses().that().resideInAPackage("io.tenantry.billing.usage..").should().dependOnClassesThat()
                .resideInAPackage("io.tenantry.billing.statement..").check(CLASSES);
    }

    /** A class that holds a way to run SQL. */
    static final DescribedPredicate<JavaClass> RUNS_SQL = DescribedPredicate.describe("run SQL",
            type -> type.getDirectDependenciesFromSelf().stream().map(Dependency::getTargetClass)
                    .anyMatch(target -> target.isAssignableTo(JdbcClient.class)
                            || target.isAssignableTo(NamedParameterJdbcTemplate.class)
                            || target.isAssignableTo(JdbcTemplate.class)));

    @Test
    void onlyRepositoriesRunSql() {
        classes().that(RUNS_SQL.and(DescribedPredicate.describe("are not reviewed exceptions",
                type -> !SQL_OUTSIDE_REPOSITORIES.contains(type.getName()))))
                .should().beAnnotatedWith(Repository.class).check(CLASSES);
        for (String name : SQL_OUTSIDE_REPOSITORIES) {
            assertThat(RUNS_SQL.test(CLASSES.get(name))).as("%s still runs SQL; if not, take it off the list", name)
                    .isTrue();
        }
    }

    @Test
    void repositoriesAreUsedOnlyInsideTheirOwnPackage() {
        classes().that().areAnnotatedWith(Repository.class).should(beUsedOnlyFromTheirOwnPackage()).check(CLASSES);
    }

    @Test
    void theCoreDependsOnNoFeature() {
        noClasses().that().resideInAnyPackage(CORE).should().dependOnClassesThat(
                resideInAPackage("io.tenantry..").and(not(resideInAnyPackage(CORE))))
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

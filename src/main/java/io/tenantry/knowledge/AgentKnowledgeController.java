package io.tenantry.knowledge;

import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tenantry.agent.AgentPrincipal;
import io.tenantry.api.ApiTags;
import io.tenantry.api.CursorPage;
import io.tenantry.tenancy.DefaultOrg;
import io.tenantry.tenancy.OrgCallContext;

/** An agent's search: its own organization's documents and the shared ones, nothing else. */
@Tag(name = ApiTags.AGENT_API)
@RestController
class AgentKnowledgeController {

    private final KnowledgeSearch search;

    AgentKnowledgeController(KnowledgeSearch search) {
        this.search = search;
    }

    @Operation(operationId = "searchAgentKnowledge", summary = "Search this agent's knowledge",
            description = "The chunks that best answer q (plain text) among the documents of the agent's "
                    + "organization and those the default organization shares, with snippets.")
    @GetMapping("/agent/v1/knowledge/search")
    CursorPage<SearchHit> search(OrgCallContext context, @AuthenticationPrincipal AgentPrincipal agent,
            @RequestParam(required = false) String q, @SearchLimit @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String tag) {
        // The agent's context is its own org, whatever it asks for (OrgContextFilter).
        return search.search(context.scope(), !DefaultOrg.ID.equals(agent.orgId()), q, limit, tag);
    }
}

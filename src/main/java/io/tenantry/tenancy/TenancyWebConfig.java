package io.tenantry.tenancy;

import java.util.List;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

@Configuration
class TenancyWebConfig implements WebMvcConfigurer {

    @Override
    public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
        resolvers.add(new OrgCallContextResolver());
    }

    /** The OpenAI-compatible routes take what OpenAI's SDKs send, as OpenAI does. */
    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new KnownQueryParameters()).addPathPatterns("/api/**", "/agent/v1/**")
                .excludePathPatterns("/agent/v1/chat/completions", "/agent/v1/embeddings", "/agent/v1/models",
                        "/agent/v1/models/**");
    }
}

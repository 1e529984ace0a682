package io.tenantry.api;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import tools.jackson.databind.json.JsonMapper;

@Configuration
class ApiWebConfig implements WebMvcConfigurer {

    private final ObjectProvider<JsonMapper> json;

    ApiWebConfig(ObjectProvider<JsonMapper> json) {
        this.json = json;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new BodyOnlyWhereTaken(json)).addPathPatterns("/api/**", "/agent/**");
    }
}

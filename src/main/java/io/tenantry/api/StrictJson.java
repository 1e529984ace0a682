package io.tenantry.api;

import java.time.Instant;

import org.springframework.boot.jackson.autoconfigure.JsonMapperBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.http.converter.HttpMessageConverter;
import org.springframework.http.converter.HttpMessageConverters;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

import tools.jackson.core.JsonGenerator;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.ser.std.StdSerializer;
import tools.jackson.databind.type.LogicalType;

/**
 * Request bodies are JSON, read strictly: a field the server does not know is an error (a
 * misspelled {@code orgId} once created a user bound to nothing, who saw every org), so is
 * a field given twice, a blank string where anything but text belongs (an empty
 * {@code clientOrgId} once read as null, and unbound a client user), and anything after the
 * JSON value. Decimals are read as BigDecimal, never as binary floating point. No other body
 * format is read or written: the YAML, XML, CBOR and Smile converters that libraries bring
 * along would read bodies past every one of these checks.
 */
@Configuration
class StrictJson implements WebMvcConfigurer {

    @Bean
    JsonMapperBuilderCustomizer strictRequestBodies() {
        return builder -> builder.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES,
                DeserializationFeature.FAIL_ON_TRAILING_TOKENS, DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .withCoercionConfigDefaults(config -> config
                        .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail))
                // A number or a boolean where text is expected is a mistake, not text: {"model": 5}
                // once created a model named "5".
                .withCoercionConfig(LogicalType.Textual, config -> config
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                // Nor is a number or a text where a flag belongs: {"shared": 100000000000000000000}
                // once shared a document, and {"enabled": 0} switched a policy off.
                .withCoercionConfig(LogicalType.Boolean, config -> config
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.String, CoercionAction.Fail));
    }

    /**
     * Amounts are written as digits, never in exponent form: an exact zero cost kept to twelve
     * places read {@code 0E-12}, which a spreadsheet or a reader takes for a different thing.
     * Every amount the server holds is bounded (NUMERIC columns, inputs refused by size), so the
     * plain form is never long.
     */
    @Bean
    JsonMapperBuilderCustomizer plainDecimals() {
        return builder -> builder.enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN);
    }

    /** Instants are written as Instant.toString writes them, by hand (IsoInstant.format). */
    @Bean
    JsonMapperBuilderCustomizer handWrittenInstants() {
        return builder -> builder.addModule(new SimpleModule("hand-written instants")
                .addSerializer(Instant.class, new StdSerializer<Instant>(Instant.class) {
                    @Override
                    public void serialize(Instant value, JsonGenerator json, SerializationContext context) {
                        json.writeString(IsoInstant.format(value));
                    }
                }));
    }

    @Override
    public void configureMessageConverters(HttpMessageConverters.ServerBuilder converters) {
        converters.configureMessageConvertersList(list -> list.removeIf(StrictJson::otherFormat));
    }

    private static boolean otherFormat(HttpMessageConverter<?> converter) {
        return converter.getSupportedMediaTypes().stream().map(MediaType::getSubtype)
                .anyMatch(subtype -> subtype.contains("yaml") || subtype.contains("xml") || subtype.contains("cbor")
                        || subtype.contains("smile"));
    }
}

package io.unibench.results;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Set;

/** Validates documents unibench wrote against the JSON Schemas it ships in the jar (/schema/). */
public final class Schemas {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Schemas() {
    }

    /** Fails the test, listing every violation, unless {@code doc} is valid under {@code /schema/<name>}. */
    public static void assertValid(String name, JsonNode doc) {
        JsonSchema schema;
        try (InputStream in = Schemas.class.getResourceAsStream("/schema/" + name)) {
            assertThat(in).as("schema /schema/" + name + " in the jar").isNotNull();
            SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
            schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in, config);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        Set<ValidationMessage> errors = schema.validate(doc);
        assertThat(errors).as(name + " violations in " + doc.toPrettyString()).isEmpty();
    }

    public static void assertValid(String name, String doc) {
        try {
            assertValid(name, JSON.readTree(doc));
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + doc, e);
        }
    }

    public static void assertValid(String name, Path file) {
        try {
            assertValid(name, JSON.readTree(file.toFile()));
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + file, e);
        }
    }
}

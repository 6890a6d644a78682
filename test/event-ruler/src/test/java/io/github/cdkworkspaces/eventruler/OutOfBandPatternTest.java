package io.github.cdkworkspaces.eventruler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import software.amazon.event.ruler.Machine;

/**
 * The event patterns that the construct synthesizes (target/patterns.json) against CloudTrail
 * records in EventBridge's envelope (target/cases.json), both written by generate.ts. Matching
 * is event-ruler's, the engine behind EventBridge's event patterns.
 */
class OutOfBandPatternTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static JsonNode patterns;
  private static JsonNode cases;

  @BeforeAll
  static void read() throws IOException {
    Path dir = Path.of("target");
    patterns = JSON.readTree(Files.readString(dir.resolve("patterns.json")));
    cases = JSON.readTree(Files.readString(dir.resolve("cases.json")));
  }

  private static boolean matches(String patternName, JsonNode event) throws Exception {
    Machine machine = Machine.builder().build();
    machine.addRule(patternName, JSON.writeValueAsString(patterns.get(patternName)));
    return machine.rulesForJSONEvent(JSON.writeValueAsString(event)).contains(patternName);
  }

  @TestFactory
  Stream<DynamicTest> onOutOfBandChangeMatchesChangesByOthersOnly() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : cases.get("cases")) {
      boolean expected = c.get("outOfBand").asBoolean();
      String name = (expected ? "matches: " : "does not match: ") + c.get("name").asText();
      tests.add(DynamicTest.dynamicTest(name, () -> assertEquals(expected, matches("outOfBand", c.get("event")), name)));
    }
    return tests.stream();
  }

  @Test
  void bothKindsOfRecordAreTested() {
    long changes = 0;
    long own = 0;
    for (JsonNode c : cases.get("cases")) {
      if (c.get("outOfBand").asBoolean()) {
        changes++;
      } else {
        own++;
      }
    }
    assertTrue(changes >= 3 && own >= 3, "cases of both kinds");
  }

  /**
   * Without the role condition the provider's calls would match: the exclusion does the work,
   * and it is the role that counts, not the User-Agent, which any caller can send.
   */
  @Test
  void onCloudTrailEventMatchesTheProvidersOwnCalls() throws Exception {
    int providerCalls = 0;
    int copiedUserAgent = 0;
    for (JsonNode c : cases.get("cases")) {
      JsonNode detail = c.get("event").get("detail");
      boolean sameUserAgent = detail.get("userAgent").asText().equals(cases.get("providerUserAgent").asText());
      if (c.get("byProvider").asBoolean()) {
        providerCalls++;
        assertTrue(sameUserAgent, c.get("name").asText());
        assertTrue(matches("cloudTrail", c.get("event")), c.get("name").asText());
        assertFalse(matches("outOfBand", c.get("event")), c.get("name").asText());
      } else if (sameUserAgent) {
        copiedUserAgent++;
        assertTrue(matches("outOfBand", c.get("event")), c.get("name").asText());
      }
    }
    assertEquals(5, providerCalls);
    assertEquals(2, copiedUserAgent);
  }
}

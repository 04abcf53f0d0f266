#include "core/escalation/lexicon.h"

namespace firstfix::escalation {

const std::vector<LexiconEntry>& person_requests() {
  static const std::vector<LexiconEntry> entries = {
      {"en", "talk to a human"}, {"en", "speak to a human"}, {"en", "talk to a person"}, {"en", "speak to a person"},
      {"en", "real person"}, {"en", "human"}, {"en", "agent"}, {"en", "representative"}, {"en", "operator"},
      {"en", "talk to someone"}, {"en", "speak to someone"}, {"en", "live chat"}, {"en", "customer service"},
      {"en", "contact support"}, {"en", "call me"},
      {"es", "hablar con una persona"}, {"es", "hablar con alguien"}, {"es", "persona real"}, {"es", "humano"},
      {"es", "agente"}, {"es", "representante"}, {"es", "operador"}, {"es", "atención al cliente"},
      {"es", "chat en vivo"}, {"es", "llámenme"},
      {"de", "mit einem menschen"}, {"de", "echte person"}, {"de", "mensch"}, {"de", "mitarbeiter"},
      {"de", "kundendienst"}, {"de", "kundenservice"}, {"de", "berater"}, {"de", "live chat"},
      {"fr", "parler à quelqu'un"}, {"fr", "une vraie personne"}, {"fr", "humain"}, {"fr", "conseiller"},
      {"fr", "service client"}, {"fr", "un agent"}, {"fr", "opérateur"},
      {"ar", "موظف"}, {"ar", "شخص حقيقي"}, {"ar", "خدمة العملاء"}, {"ar", "وكيل"}, {"ar", "التحدث مع شخص"},
      {"he", "נציג"}, {"he", "בן אדם"}, {"he", "שירות לקוחות"}, {"he", "אדם אמיתי"}, {"he", "לדבר עם מישהו"},
  };
  return entries;
}

const std::vector<LexiconEntry>& frustration_words() {
  static const std::vector<LexiconEntry> entries = {
      {"en", "useless"}, {"en", "ridiculous"}, {"en", "pathetic"}, {"en", "terrible"}, {"en", "awful"},
      {"en", "worst"}, {"en", "frustrated"}, {"en", "frustrating"}, {"en", "furious"}, {"en", "angry"},
      {"en", "fed up"}, {"en", "sick of"}, {"en", "waste of time"}, {"en", "wtf"}, {"en", "not working again"},
      {"en", "scam"}, {"en", "unacceptable"},
      {"es", "inútil"}, {"es", "ridículo"}, {"es", "harto"}, {"es", "harta"}, {"es", "estoy cansado"},
      {"es", "pésimo"}, {"es", "vergüenza"}, {"es", "una estafa"}, {"es", "inaceptable"},
      {"es", "enfadado"}, {"es", "enfadada"}, {"es", "pérdida de tiempo"},
      {"de", "nutzlos"}, {"de", "lächerlich"}, {"de", "unverschämt"}, {"de", "frustriert"}, {"de", "katastrophe"},
      {"de", "inakzeptabel"}, {"de", "sauer"},
      {"fr", "inutile"}, {"fr", "ridicule"}, {"fr", "nul"}, {"fr", "en colère"}, {"fr", "marre"}, {"fr", "inadmissible"},
      {"fr", "arnaque"},
      {"ar", "سيء"}, {"ar", "غاضب"}, {"ar", "احتيال"},
      {"he", "גרוע"}, {"he", "כועס"}, {"he", "מתסכל"}, {"he", "חסר תועלת"},
  };
  return entries;
}

}  // namespace firstfix::escalation

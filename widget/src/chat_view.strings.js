// The chat view's UI strings per locale (the panel's shared ones are in
// strings.js); missing keys fall back to English.
export const CHAT_STRINGS = {
  en: {
    chatMessage: 'Write a message', you: 'You', sending: 'Sending…', agentTyping: 'Typing…', addPhoto: 'Add a photo',
    takePhoto: 'Take a photo', photoAlt: 'Photo you shared',
    photoRate: 'That is a lot of photos at once: wait a minute, then send the next one.',
    chatQueued: (n) => `You're number ${n} in line. A person will be with you shortly, and already has what you tried.`,
    chatActive: (agent) => `You're chatting with ${agent || 'our team'}.`,
    chatTicket: "Nobody can chat right now, so this is now a message to our team: a person will reply within one business day. Add anything that helps below.",
    chatClosed: 'This conversation has ended.',
    chatClosedHours: (hours) => `Chat is closed now (we're open ${hours}), so this is now a message to our team: a person will reply within one business day. Add anything that helps below.`,
  },
  es: {
    chatMessage: 'Escribe un mensaje', you: 'Tú', sending: 'Enviando…', agentTyping: 'Escribiendo…',
    addPhoto: 'Añadir una foto', takePhoto: 'Hacer una foto', photoAlt: 'Foto que has compartido',
    photoRate: 'Son muchas fotos a la vez: espera un minuto y envía la siguiente.',
    chatQueued: (n) => `Eres el número ${n} en la cola. Una persona te atenderá en breve y ya sabe lo que has intentado.`,
    chatActive: (agent) => `Estás hablando con ${agent || 'nuestro equipo'}.`,
    chatTicket: 'Ahora nadie puede chatear, así que esto es ya un mensaje para nuestro equipo: una persona te responderá en un día laborable. Añade abajo lo que ayude.',
    chatClosed: 'La conversación ha terminado.',
    chatClosedHours: (hours) => `El chat está cerrado ahora (abrimos ${hours}), así que esto es ya un mensaje para nuestro equipo: una persona te responderá en un día laborable. Añade abajo lo que ayude.`,
  },
};
